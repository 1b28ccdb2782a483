"""Print attempts of tickets (what printed, what failed and why) and the printers' last known states.

`PrintLog` owns these writes, as `AppointmentBook` owns booking. A print changes no queue state, so
its record carries no event (no sequence number, nothing for displays to rebuild). The outcome of a
kiosk's first print is written after the response, by one writer per process that puts every
outcome waiting into one transaction: a kiosk tap costs one write transaction on its path, the
ticket's. A reprint claim first waits for this process's unwritten outcomes (it needs the failed
one). If the process dies in the milliseconds before a write, that outcome is lost (logged
nowhere): the ticket stays valid and front-desk staff can reprint it.
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, UTCDateTime, utcnow
from .fields import fit
from .engine import QueueEngine
from .org import Branch, Counter, Device, DeviceKind
from .queue import Ticket

log = logging.getLogger(__name__)
# Outcomes written in one transaction at most; more wait for the next one.
WRITE_BATCH = 200


class PrintStatus(StrEnum):
    PRINTED = "printed"
    FAILED = "failed"
    SKIPPED = "skipped"   # no printer configured: the ticket is shown on screen only
    SENDING = "sending"   # a kiosk's one reprint, claimed before it is sent


class PrintJob(Base):
    __tablename__ = "print_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id", ondelete="SET NULL"))
    printer: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))
    error: Mapped[str] = mapped_column(String(300), default="")
    reprint: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass(frozen=True)
class PrintOutcome:
    """What one attempt did: its status, the reason of a failure, what the printer said of itself."""
    printer: str
    status: PrintStatus
    error: str = ""
    printer_state: str = ""


@dataclass(frozen=True)
class KioskPrinter:
    device_id: int
    device: str
    branch: str
    printer: str          # the kiosk's own address; empty: the configured default
    state: str            # last known state; empty: never learnt
    checked_at: datetime | None = None


class PrintLog:
    def __init__(self, engine: QueueEngine):
        self.engine = engine
        # Writes of printer states by this process, counted: what caches those states keys on it.
        self.state_writes = 0
        self._unwritten: deque[tuple[int, int | None, PrintOutcome, datetime]] = deque()
        self._writing = 0                      # outcomes taken by the writer, not committed yet
        self._changed = threading.Condition()
        self._writer: threading.Thread | None = None

    # ---- outcomes --------------------------------------------------------------------------

    def record(self, ticket_id: int, device_id: int | None, outcome: PrintOutcome, *, reprint: bool = False) -> bool:
        """Store one attempt; True when the kiosk may still reprint the ticket once."""
        with self.engine.transaction() as work:
            _add_job(work.session, ticket_id, device_id, outcome, reprint, work.now)
            self.state_writes += 1
            return outcome.status == PrintStatus.FAILED and not reprint and not _reprinted(work.session, ticket_id)

    def record_first_print(self, ticket_id: int, device_id: int | None, outcome: PrintOutcome) -> bool:
        """A kiosk's first print of a new ticket, written after the response (see the module's
        docstring); True when the kiosk may reprint it: it failed, and nothing can have reprinted
        it yet (a reprint needs this failure written)."""
        with self._changed:
            self._unwritten.append((ticket_id, device_id, outcome, self.engine.clock()))
            self._changed.notify_all()
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_forever, name="okenko-print-log", daemon=True)
                self._writer.start()
        return outcome.status == PrintStatus.FAILED

    def flush(self, timeout_s: float = 5.0) -> bool:
        """Wait until this process's outcomes are written; False when that took over `timeout_s`."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._unwritten and not self._writing, timeout_s)

    def _write_forever(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._unwritten)
                batch = [self._unwritten.popleft() for _ in range(min(len(self._unwritten), WRITE_BATCH))]
                self._writing = len(batch)
            try:
                self._write(batch)
            except Exception:  # a database fault: these outcomes are lost, the tickets are not
                log.exception("could not record %d print outcomes", len(batch))
            finally:
                with self._changed:
                    self._writing = 0
                    self._changed.notify_all()

    def _write(self, batch: list[tuple[int, int | None, PrintOutcome, datetime]]) -> None:
        with self.engine.transaction() as work:
            for ticket_id, device_id, outcome, at in batch:
                _add_job(work.session, ticket_id, device_id, outcome, False, at)
        self.state_writes += 1

    def claim_reprint(self, ticket_id: int, device_id: int | None, printer: str) -> int | None:
        """Take a ticket's one kiosk reprint before printing (the job's id), or None when its last print
        did not fail or it was reprinted (or is being reprinted) already. Concurrent claims: one wins."""
        if not self.flush():
            log.warning("print outcomes are not written yet; the reprint of ticket %s may be refused", ticket_id)
        with self.engine.transaction() as work:
            # Lock the ticket so claims queue here (SQLite's writers queue on BEGIN IMMEDIATE anyway).
            if work.session.get(Ticket, ticket_id, with_for_update=True) is None:
                return None
            if not reprint_allowed(work.session, ticket_id):
                return None
            job = PrintJob(ticket_id=ticket_id, device_id=device_id, printer=fit(printer, PrintJob.printer),
                           status=PrintStatus.SENDING.value, error="", reprint=True, created_at=work.now)
            work.session.add(job)
            work.session.flush()
            return job.id

    def settle(self, job_id: int, device_id: int | None, outcome: PrintOutcome) -> None:
        """The outcome of a claimed reprint."""
        with self.engine.transaction() as work:
            work.session.execute(update(PrintJob).where(PrintJob.id == job_id).values(
                status=outcome.status.value, error=fit(outcome.error, PrintJob.error)))
            if device_id is not None and outcome.printer_state:
                _set_state(work.session, device_id, outcome.printer_state, work.now)
        self.state_writes += 1

    # ---- printers --------------------------------------------------------------------------

    def kiosk_printers(self) -> list[KioskPrinter]:
        """Every active kiosk with its printer, by branch and name."""
        with self.engine.read() as session:
            return [KioskPrinter(*row) for row in session.connection().execute(KIOSK_PRINTERS)]

    def branch_kiosk(self, branch_code: str) -> KioskPrinter | None:
        """The kiosk whose printer front-desk staff print on: the branch's first active kiosk."""
        kiosks = [kiosk for kiosk in self.kiosk_printers() if kiosk.branch == branch_code]
        return min(kiosks, key=lambda kiosk: kiosk.device_id, default=None)

    def counter_printer(self, counter_id: int) -> str:
        with self.engine.read() as session:
            counter = session.get(Counter, counter_id)
            return counter.printer if counter else ""

    def remember_states(self, states: dict[int, str]) -> datetime:
        """Printer state per kiosk id, as just learnt by a probe; when that was."""
        with self.engine.transaction() as work:
            for device_id, state in states.items():
                _set_state(work.session, device_id, state, work.now)
        self.state_writes += 1
        return work.now

    def last_known_states(self, default_printer: bool) -> dict[str, str]:
        """State per "branch/kiosk" as last learnt, without asking any printer. `default_printer`:
        whether kiosks without their own printer have the configured default one."""
        return {f"{kiosk.branch}/{kiosk.device}":
                kiosk.state or ("unknown" if kiosk.printer or default_printer else "none")
                for kiosk in self.kiosk_printers()}


# Built once: /healthz runs it on every probe.
KIOSK_PRINTERS = (
    select(Device.id, Device.name, Branch.code, Device.printer, Device.printer_state, Device.printer_checked_at)
    .join(Branch, Branch.id == Device.branch_id)
    .where(Device.kind == DeviceKind.KIOSK.value, Device.active.is_(True))
    .order_by(Branch.code, Device.name, Device.id)
)


def _add_job(session: Session, ticket_id: int, device_id: int | None, outcome: PrintOutcome, reprint: bool,
             now: datetime) -> None:
    session.add(PrintJob(ticket_id=ticket_id, device_id=device_id, printer=fit(outcome.printer, PrintJob.printer),
                         status=outcome.status.value, error=fit(outcome.error, PrintJob.error), reprint=reprint, created_at=now))
    if device_id is not None and outcome.printer_state:
        _set_state(session, device_id, outcome.printer_state, now)


def _set_state(session: Session, device_id: int, state: str, now: datetime) -> None:
    session.execute(update(Device).where(Device.id == device_id).values(printer_state=fit(state, Device.printer_state),
                                                                       printer_checked_at=now))


def _reprinted(session: Session, ticket_id: int) -> bool:
    return session.execute(
        select(PrintJob.id).where(PrintJob.ticket_id == ticket_id, PrintJob.reprint.is_(True)).limit(1)
    ).first() is not None


def reprint_allowed(session: Session, ticket_id: int) -> bool:
    """A kiosk may reprint once, and only after the print failed."""
    last = session.execute(
        select(PrintJob.status).where(PrintJob.ticket_id == ticket_id).order_by(PrintJob.id.desc()).limit(1)
    ).scalar_one_or_none()
    return last == PrintStatus.FAILED and not _reprinted(session, ticket_id)
