"""Print attempts of tickets: what printed, what failed and why."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow
from .org import Device


class PrintStatus(StrEnum):
    PRINTED = "printed"
    FAILED = "failed"
    SKIPPED = "skipped"   # no printer configured: the ticket is shown on screen only


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


def record_print(work, ticket, *, device_id: int | None, printer: str, status: PrintStatus,
                 error: str = "", printer_state: str = "", reprint: bool = False) -> None:
    """Store one print attempt (inside the caller's transaction) and the printer's state."""
    work.session.add(PrintJob(ticket_id=ticket.id, device_id=device_id, printer=printer[:200],
                              status=status.value, error=error[:300], reprint=reprint, created_at=work.now))
    if device_id is not None and printer_state:
        set_printer_state(work.session, device_id, printer_state, work.now)
    event = "ticket.printed" if status == PrintStatus.PRINTED else "ticket.print_failed"
    work.record_ticket(event, ticket, device_id=device_id, reprint=reprint, error=error[:300])


def set_printer_state(session, device_id: int, state: str, now: datetime) -> None:
    device = session.get(Device, device_id)
    if device is not None:
        device.printer_state, device.printer_checked_at = state, now


def reprint_allowed(session, ticket_id: int) -> bool:
    """A kiosk may reprint once, and only after the print failed."""
    jobs = session.execute(
        select(PrintJob.status, PrintJob.reprint).where(PrintJob.ticket_id == ticket_id).order_by(PrintJob.id)
    ).all()
    return bool(jobs) and jobs[-1].status == PrintStatus.FAILED and not any(job.reprint for job in jobs)
