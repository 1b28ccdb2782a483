"""Printing a kiosk's ticket after it is committed: render, send within the deadline, record.

Never raises: whatever the printer does, the visitor has a ticket (shown on screen) and the
outcome is stored with the ticket (print_job) and as the printer's last known state.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import force_locale, format_date, gettext
from sqlalchemy import select

from models import Branch, Counter, Device, DeviceKind, PrintStatus, Ticket
from models.appointments import AppointmentView
from models.codes import display_code
from models.printing import record_print, reprint_allowed, set_printer_state
from models.org import localized
from models.views import TicketView
from okenko.api.serialize import appointment_url, status_url
from okenko.auth import DeviceIdentity
from okenko.runtime import queue, runtime
from printers import render, transport
from printers.address import PrinterAddress, PrinterConfigError, parse_address

from .texts import footer, ticket_texts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintResult:
    status: str                 # printed, failed, skipped
    error: str = ""             # for staff and logs, in English
    message: str = ""           # for the visitor, in the ticket's language
    reprint_allowed: bool = False

    def json(self) -> dict:
        return {"status": self.status, "error": self.error or None, "message": self.message or None,
                "reprint_allowed": self.reprint_allowed}


def printer_of(device: DeviceIdentity | None) -> PrinterAddress:
    """The device's own printer, else the configured default."""
    return parse_address((device.printer if device else "") or runtime().settings.printer)


def print_ticket(view: TicketView, device: DeviceIdentity | None, *, reprint: bool = False) -> PrintResult:
    device_id = device.id if device else None
    try:
        address = printer_of(device)
    except PrinterConfigError as exc:
        log.error("kiosk %s: %s", device_id, exc)
        return _record(view, device_id, "invalid", PrintStatus.FAILED, str(exc), "", reprint)
    if not address.enabled:
        return PrintResult(PrintStatus.SKIPPED.value)
    try:
        data = render.to_escpos(paper_ticket(view), profile=address.profile, native_qr=address.native_qr)
        state = transport.send(address, data, timeout=runtime().settings.print_timeout_s)
    except transport.PrinterError as exc:
        log.warning("ticket %s not printed: %s", view.number, exc.reason)
        return _record(view, device_id, str(address), PrintStatus.FAILED, exc.reason, exc.state, reprint)
    except Exception as exc:  # a rendering bug must not cost the visitor their ticket either
        log.exception("ticket %s: printing failed", view.number)
        return _record(view, device_id, str(address), PrintStatus.FAILED, f"printing failed: {exc}", "", reprint)
    return _record(view, device_id, str(address), PrintStatus.PRINTED, "", state.state, reprint)


def _record(view: TicketView, device_id: int | None, printer: str, status: PrintStatus, error: str,
            state: str, reprint: bool) -> PrintResult:
    try:
        with queue().transaction() as work:
            ticket = work.session.get(Ticket, view.id)
            record_print(work, ticket, device_id=device_id, printer=printer, status=status, error=error,
                         printer_state=state, reprint=reprint)
            allowed = reprint_allowed(work.session, view.id) if status == PrintStatus.FAILED else False
    except Exception:
        log.exception("could not record the print outcome of ticket %s", view.number)
        allowed = False
    return PrintResult(status.value, error, _visitor_message(view.language, status), allowed)


def _visitor_message(language: str, status: PrintStatus) -> str:
    with force_locale(language):
        if status == PrintStatus.PRINTED:
            return gettext("Please take your ticket.")
        return gettext("The printer is not working. Please take a photo of this screen: "
                       "the number and the code are your ticket.")


def paper_ticket(view: TicketView) -> render.TicketPrint:
    with runtime().reader() as session:
        branch = session.execute(select(Branch).where(Branch.code == view.branch)).scalar_one()
        branch_name, timezone = branch.name("cs"), branch.timezone
    texts = ticket_texts(view)
    issued = view.issued_at.astimezone(ZoneInfo(timezone))
    details = [line for line in (texts["appointment"], texts["people_ahead"], texts["estimated_wait"]) if line]
    return render.TicketPrint(
        branch_name=branch_name, number=view.number, service_name=texts["service"],
        service_name_cs=view.service_names.get("cs", texts["service"]), details=details,
        issued=issued.strftime("%d. %m. %Y %H:%M"), status_url=status_url(view.token),
        footer=footer(view.language), language=view.language,
    )


def print_confirmation(view: AppointmentView, counter_id: int) -> PrintResult:
    """A referral's confirmation (code, QR, when, where) on the printer at the counsellor's desk."""
    with runtime().reader() as session:
        counter = session.get(Counter, counter_id)
        configured = counter.printer if counter else ""
    if not configured:
        return PrintResult(PrintStatus.SKIPPED.value, "this counter has no printer")
    try:
        address = parse_address(configured)
        data = render.to_escpos(paper_confirmation(view), profile=address.profile, native_qr=address.native_qr)
        transport.send(address, data, timeout=runtime().settings.print_timeout_s)
    except (PrinterConfigError, transport.PrinterError) as exc:
        reason = getattr(exc, "reason", str(exc))
        log.warning("appointment %s not printed at counter %s: %s", view.code, counter_id, reason)
        return PrintResult(PrintStatus.FAILED.value, reason)
    return PrintResult(PrintStatus.PRINTED.value)


def paper_confirmation(view: AppointmentView) -> render.TicketPrint:
    """The appointment as a slip: the code where a ticket has its number, the QR opens its page."""
    language = view.language
    local = view.start.astimezone(ZoneInfo(view.timezone))
    service = localized(view.service_names, language)
    with force_locale(language):
        details = [format_date(local.date(), "full"), gettext("Appointment at %(time)s", time=local.strftime("%H:%M")),
                   view.branch_address]
        footer_text = gettext("Check in at the kiosk with this code when you arrive. To change or cancel, "
                              "scan the code.")
    return render.TicketPrint(
        branch_name=localized(view.branch_names, "cs"), number=display_code(view.code), service_name=service,
        service_name_cs=view.service_names.get("cs", service), details=[line for line in details if line],
        issued=local.strftime("%d. %m. %Y %H:%M"), status_url=appointment_url(view.code), footer=footer_text,
        language=language,
    )


def branch_kiosk(branch_code: str) -> DeviceIdentity | None:
    """The printer front-desk staff print on: the branch's first active kiosk."""
    with runtime().reader() as session:
        row = session.execute(
            select(Device.id, Device.branch_id, Branch.code, Device.kind, Device.name, Device.printer)
            .join(Branch, Branch.id == Device.branch_id)
            .where(Branch.code == branch_code, Device.kind == DeviceKind.KIOSK.value, Device.active.is_(True))
            .order_by(Device.id)
        ).first()
    return DeviceIdentity(*row) if row else None


def reprint(view: TicketView, device: DeviceIdentity | None) -> PrintResult | None:
    """Print again once after a failure; None when that is not allowed (any more)."""
    with runtime().reader() as session:
        if not reprint_allowed(session, view.id):
            return None
    return print_ticket(view, device, reprint=True)


PROBE_TIMEOUT_S = 2.0


def probe_all() -> list[dict]:
    """Ask every kiosk's printer how it is, in parallel, and remember the answers."""
    with runtime().reader() as session:
        kiosks = session.execute(
            select(Device.id, Device.name, Branch.code, Device.printer)
            .join(Branch, Branch.id == Device.branch_id)
            .where(Device.kind == DeviceKind.KIOSK.value, Device.active.is_(True))
            .order_by(Branch.code, Device.name)
        ).all()
    default = runtime().settings.printer
    with ThreadPoolExecutor(max_workers=max(len(kiosks), 1)) as pool:
        states = list(pool.map(lambda row: _probe(row.printer or default), kiosks))
    with queue().transaction() as work:
        for row, (_address, state) in zip(kiosks, states, strict=True):
            set_printer_state(work.session, row.id, state.state, work.now)
    return [{"device": row.name, "branch": row.code, "printer": address, "state": state.state,
             "detail": state.detail or None} for row, (address, state) in zip(kiosks, states, strict=True)]


def _probe(configured: str) -> tuple[str, transport.PrinterState]:
    try:
        address = parse_address(configured)
    except PrinterConfigError as exc:
        return configured, transport.PrinterState("invalid", str(exc))
    return str(address), transport.status(address, timeout=PROBE_TIMEOUT_S)


def last_known_states() -> dict[str, str]:
    """Printer state per kiosk as last learnt (printing or probing): for /healthz, without waiting."""
    with runtime().reader() as session:
        rows = session.execute(
            select(Branch.code, Device.name, Device.printer, Device.printer_state)
            .join(Branch, Branch.id == Device.branch_id)
            .where(Device.kind == DeviceKind.KIOSK.value, Device.active.is_(True))
        ).all()
    default_enabled = runtime().settings.printer not in ("", "none")
    return {f"{row.code}/{row.name}": row.printer_state or ("unknown" if row.printer or default_enabled else "none")
            for row in rows}


def sample_ticket(language: str, status_link: str) -> render.TicketPrint:
    """A realistic ticket for test prints and previews (no database needed)."""
    from okenko.demo import SERVICES
    from .texts import estimated_wait, people_ahead
    names = SERVICES[1]["names"]
    with force_locale(language):
        details = [people_ahead(3), estimated_wait(12, True)]
    return render.TicketPrint(
        branch_name="Praha IV – Koněvova", number="R-042", service_name=localized(names, language),
        service_name_cs=names["cs"], details=details, issued="23. 11. 2026 09:41", status_url=status_link,
        footer=footer(language), language=language,
    )
