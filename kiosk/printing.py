"""Printing a kiosk's ticket after it is committed: render, send within the deadline, record.

Never raises: whatever the printer does, the visitor has a ticket (shown on screen) and the
outcome is stored with the ticket (models.PrintLog: its print jobs and the printer's last state).
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask_babel import force_locale, format_date, gettext
from sqlalchemy import select

from models import Branch, PrintOutcome, PrintStatus
from models.appointments import AppointmentView
from models.codes import display_code
from models.org import localized
from models.views import TicketView
from okenko.api.serialize import appointment_url, status_url
from okenko.auth import DeviceIdentity
from okenko.demo import SERVICES
from okenko.runtime import print_log, runtime
from printers import render, transport
from printers.address import PrinterAddress, PrinterConfigError, parse_address

from .texts import estimated_wait, footer, people_ahead, ticket_texts

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


SKIPPED = PrintResult(PrintStatus.SKIPPED.value)


def print_ticket(view: TicketView, device: DeviceIdentity) -> PrintResult:
    """A kiosk's ticket, on the kiosk's printer (or the configured default)."""
    outcome = _send_ticket(view, device.printer)
    if outcome.status == PrintStatus.SKIPPED:
        return SKIPPED
    allowed = print_log().record_first_print(view.id, device.id, outcome)   # written after the response
    return _result(view, outcome, allowed)


def reprint(view: TicketView, device: DeviceIdentity) -> PrintResult | None:
    """Print again once after a failure; None when that is not allowed (any more). The one reprint
    is claimed in the database first, so of simultaneous requests exactly one prints."""
    job = print_log().claim_reprint(view.id, device.id, _printer_label(device.printer))
    if job is None:
        return None
    outcome = _send_ticket(view, device.printer)
    _recorded(view, lambda: print_log().settle(job, device.id, outcome), default=None)
    return _result(view, outcome, reprint_allowed=False)


def staff_reprint(view: TicketView) -> PrintResult:
    """Front-desk staff reprint any time, on the printer of the branch's first kiosk."""
    kiosk = print_log().branch_kiosk(view.branch)
    outcome = _send_ticket(view, kiosk.printer if kiosk else "")
    if outcome.status == PrintStatus.SKIPPED:
        return SKIPPED
    device_id = kiosk.device_id if kiosk else None
    _recorded(view, lambda: print_log().record(view.id, device_id, outcome, reprint=True), default=False)
    return _result(view, outcome, reprint_allowed=False)


def last_known() -> list[dict]:
    """Every kiosk's printer as last learnt (printing or probing), without asking any printer."""
    default = runtime().settings.printer
    return [{"device": kiosk.device, "branch": kiosk.branch, "printer": _printer_label(kiosk.printer),
             "state": kiosk.state or ("unknown" if kiosk.printer or default not in ("", "none") else "none"),
             "detail": None, "checked_at": kiosk.checked_at.isoformat() if kiosk.checked_at else None}
            for kiosk in print_log().kiosk_printers()]


def printer_of(configured: str) -> PrinterAddress:
    """The device's own printer, else the configured default."""
    return parse_address(configured or runtime().settings.printer)


def _printer_label(configured: str) -> str:
    try:
        return str(printer_of(configured))
    except PrinterConfigError:
        return "invalid"


def _send_ticket(view: TicketView, configured: str) -> PrintOutcome:
    try:
        address = printer_of(configured)
    except PrinterConfigError as exc:
        log.error("ticket %s: %s", view.number, exc)
        return PrintOutcome("invalid", PrintStatus.FAILED, str(exc))
    if not address.enabled:
        return PrintOutcome(str(address), PrintStatus.SKIPPED)
    timeout = runtime().settings.print_timeout_s
    started = time.monotonic()
    try:
        data = render.to_escpos(paper_ticket(view), profile=address.profile, native_qr=address.native_qr)
        # The deadline is the kiosk's whole wait: rendering is taken from it.
        state = transport.send(address, data, timeout=timeout, spent=time.monotonic() - started)
    except transport.PrinterError as exc:
        log.warning("ticket %s not printed: %s", view.number, exc.reason)
        return PrintOutcome(str(address), PrintStatus.FAILED, exc.reason, exc.state)
    except Exception as exc:  # a rendering bug must not cost the visitor their ticket either
        log.exception("ticket %s: printing failed", view.number)
        return PrintOutcome(str(address), PrintStatus.FAILED, f"printing failed: {exc}")
    return PrintOutcome(str(address), PrintStatus.PRINTED, "", state.state)


def _recorded(view: TicketView, store, default):
    try:
        return store()
    except Exception:  # the visitor keeps the ticket even when its print record is lost
        log.exception("could not record the print outcome of ticket %s", view.number)
        return default


def _result(view: TicketView, outcome: PrintOutcome, reprint_allowed: bool) -> PrintResult:
    return PrintResult(outcome.status.value, outcome.error, _visitor_message(view.language, outcome.status),
                       bool(reprint_allowed))


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
    configured = print_log().counter_printer(counter_id)
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


PROBE_TIMEOUT_S = 2.0


def probe_all() -> list[dict]:
    """Ask every kiosk's printer how it is, in parallel (each within PROBE_TIMEOUT_S), and remember
    the answers as their last known states."""
    kiosks, default = print_log().kiosk_printers(), runtime().settings.printer
    with ThreadPoolExecutor(max_workers=max(len(kiosks), 1)) as pool:
        answers = list(pool.map(lambda kiosk: _probe(kiosk.printer or default), kiosks))
    checked = print_log().remember_states({kiosk.device_id: state.state
                                           for kiosk, (_address, state) in zip(kiosks, answers, strict=True)})
    return [{"device": kiosk.device, "branch": kiosk.branch, "printer": address, "state": state.state,
             "detail": state.detail or None, "checked_at": checked.isoformat()} for kiosk, (address, state) in zip(kiosks, answers, strict=True)]


def _probe(configured: str) -> tuple[str, transport.PrinterState]:
    try:
        address = parse_address(configured)
    except PrinterConfigError as exc:
        return configured, transport.PrinterState("invalid", str(exc))
    return str(address), transport.status(address, timeout=PROBE_TIMEOUT_S)


def sample_ticket(language: str, status_link: str) -> render.TicketPrint:
    """A realistic ticket for test prints and previews (no database needed). The app offers it to
    `okenko printer test|preview` as app.extensions[SAMPLE_TICKET]: the CLI does not import kiosk."""
    names = SERVICES[1]["names"]
    with force_locale(language):
        details = [people_ahead(3), estimated_wait(12, True)]
    return render.TicketPrint(
        branch_name="Praha IV – Koněvova", number="R-042", service_name=localized(names, language),
        service_name_cs=names["cs"], details=details, issued="23. 11. 2026 09:41", status_url=status_link,
        footer=footer(language), language=language,
    )
