"""Issuing tickets (kiosk devices and front-desk staff), printing them, and the public ticket status."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from models import DeviceKind, DomainError
from okenko.api.errors import ApiError
from okenko.api.openapi import document
from okenko.api.schemas import Empty, IssuedTicketOut, IssueTicket, PrinterList, PrintOut, TicketStatusOut, parse_body
from okenko.api.serialize import appointment_json, ticket_json, ticket_status_json
from okenko.auth import FRONT_DESK_ROLES, RECEPTION_ROLES, DeviceIdentity, authorize, current_caller, require_staff
from okenko.i18n import LANGUAGES
from okenko.limits import TooManyAttempts, check_in_failures, refused
from okenko.runtime import SAMPLE_TICKET, appointments, queue

from . import printing
from .texts import phone_texts, ticket_texts

bp = Blueprint("kiosk_api", __name__, url_prefix="/api/v1")

MAX_TOKEN_LENGTH = 64


@bp.post("/tickets")
@document("Issue a ticket, or check an appointment in (its ticket is due at the appointment's start); "
          "a kiosk's ticket is then printed on its printer. A refused check-in is 409 check_in_refused "
          "with details.reason: wrong_branch, cancelled, already_checked_in, not_today, too_early, too_late",
          tag="tickets",
          auth="device|staff", body=IssueTicket, responses={201: ("The new ticket", IssuedTicketOut)})
def issue_ticket():
    caller = current_caller()
    if caller.staff is None and not caller.devices:
        raise ApiError(401, "unauthorized", "send a kiosk device token or a staff token")
    body = parse_body(IssueTicket)
    device = None
    if caller.staff is not None:
        authorize(FRONT_DESK_ROLES, body.branch)
    else:
        device = _kiosk_of(body.branch)
        if body.priority:
            raise ApiError(403, "forbidden", "only staff may issue priority tickets", field="priority")
    device_id, staff_id = (device.id if device else None), (caller.staff.id if caller.staff else None)
    extra = {}
    if body.appointment_code is not None:
        appointment, view = _check_in(body.branch, body.appointment_code, device, staff_id)
        extra["appointment_details"] = appointment_json(appointment)
    else:
        view = queue().issue_ticket(body.branch, body.service, body.language, priority=body.priority,
                                    device_id=device_id, staff_id=staff_id)
    # Committed above: whatever the printer does now, the ticket exists.
    printed = printing.print_ticket(view, device) if device else printing.SKIPPED
    return jsonify(ticket_json(view) | {"texts": ticket_texts(view), "print": printed.json()} | extra), 201


def _check_in(branch: str, code: str, device: DeviceIdentity | None, staff_id: int | None):
    """Check an appointment in. Codes are keys: a kiosk gets a budget of failed check-ins, charged
    before trying (so concurrent guesses cannot slip through) and refunded when the check-in works."""
    if device is None:
        return appointments().check_in(branch, code, staff_id=staff_id)
    try:
        check_in_failures.charge(str(device.id))
    except TooManyAttempts as exc:
        raise refused(exc, "too many failed check-ins at this kiosk") from None
    try:
        done = appointments().check_in(branch, code, device_id=device.id)
    except DomainError:
        raise  # a failed check-in: the charge stays
    except BaseException:
        check_in_failures.refund(str(device.id))
        raise
    check_in_failures.refund(str(device.id))
    return done


@bp.get("/tickets/<token>")
@document("Status of a ticket, by its public token (the phone page)", tag="tickets",
          responses={200: ("The ticket's status", TicketStatusOut)})
def ticket_status(token: str):
    view = queue().ticket_by_token(_token(token))
    return jsonify(ticket_status_json(view) | {"texts": phone_texts(view, _language())})


@bp.post("/tickets/<token>/leave")
@document("Leave the queue (the phone page, by the ticket's public token): the ticket is cancelled and its "
          "place freed; displays update. Only a waiting ticket can leave: once called it is 409 conflict",
          tag="tickets", body=Empty, responses={200: ("The ticket, now cancelled", TicketStatusOut)})
def leave_queue(token: str):
    parse_body(Empty)
    view = queue().leave(_token(token))
    return jsonify(ticket_status_json(view) | {"texts": phone_texts(view, _language())})


@bp.post("/tickets/<token>/reprint")
@document("Print a ticket again: a kiosk once after its print failed; front-desk staff any time, on the "
          "branch's kiosk printer", tag="tickets", auth="device|staff",
          responses={200: ("The outcome of the new attempt", PrintOut)})
def reprint(token: str):
    parse_body(Empty)
    view = queue().ticket_by_token(_token(token))
    staff = current_caller().staff
    if staff is not None:
        authorize(FRONT_DESK_ROLES, view.branch)
        return jsonify(printing.staff_reprint(view).json())
    device = _kiosk_of(view.branch)
    outcome = printing.reprint(view, device)
    if outcome is None:
        raise ApiError(409, "reprint_not_allowed",
                       "this ticket printed, or was already reprinted once; staff can reprint it")
    return jsonify(outcome.json())


def _kiosk_of(branch: str) -> DeviceIdentity:
    caller = current_caller()
    if not caller.devices:
        raise ApiError(401, "unauthorized", "send a kiosk device token")
    device = caller.device_for(branch, DeviceKind.KIOSK)
    if device is None:
        raise ApiError(403, "forbidden", f"this device is not a kiosk of branch '{branch}'")
    return device


def _language() -> str | None:
    """?lang= on the phone's requests: the visitor switched the page's language."""
    chosen = request.args.get("lang", "")
    return chosen if chosen in LANGUAGES else None


def _token(token: str) -> str:
    if len(token) > MAX_TOKEN_LENGTH:
        raise ApiError(404, "not_found", "no ticket with this token")
    return token


@bp.get("/printers")
@document("Every kiosk's printer as last learnt (by printing or by a probe); asks no printer, changes "
          "nothing", tag="printers", auth="staff", responses={200: ("Printer states", PrinterList)})
@require_staff(RECEPTION_ROLES)
def printers():
    return jsonify(printing.last_known())


@bp.post("/printers/probe")
@document("Ask every kiosk's printer how it is now (in parallel, within about 2 s) and record the answers "
          "as their last known states", tag="printers", auth="staff",
          responses={200: ("Printer states", PrinterList)})
@require_staff(RECEPTION_ROLES)
def probe_printers():
    parse_body(Empty)
    return jsonify(printing.probe_all())


@bp.record_once
def _offer_sample_ticket(state) -> None:
    # `okenko printer test|preview` prints this without importing the kiosk package.
    state.app.extensions[SAMPLE_TICKET] = printing.sample_ticket
