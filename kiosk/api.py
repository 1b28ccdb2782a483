"""Issuing tickets (kiosk devices and front-desk staff), printing them, and the public ticket status."""
from __future__ import annotations

from flask import Blueprint, jsonify

from models import DeviceKind, Role
from okenko.api.errors import ApiError
from okenko.api.openapi import document
from okenko.api.schemas import Empty, IssuedTicketOut, IssueTicket, PrintOut, TicketStatusOut, parse_body
from okenko.api.serialize import appointment_json, ticket_json, ticket_status_json
from okenko.auth import FRONT_DESK_ROLES, DeviceIdentity, current_caller, require_staff
from okenko.runtime import appointments, queue

from . import printing
from .texts import ticket_texts

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
        if caller.staff.role not in FRONT_DESK_ROLES:
            raise ApiError(403, "forbidden", f"the role '{caller.staff.role}' may not issue tickets")
    else:
        device = _kiosk_of(body.branch)
        if body.priority:
            raise ApiError(403, "forbidden", "only staff may issue priority tickets", field="priority")
    device_id, staff_id = (device.id if device else None), (caller.staff.id if caller.staff else None)
    extra = {}
    if body.appointment_code is not None:
        appointment, view = appointments().check_in(body.branch, body.appointment_code,
                                                    device_id=device_id, staff_id=staff_id)
        extra["appointment_details"] = appointment_json(appointment)
    else:
        view = queue().issue_ticket(body.branch, body.service, body.language, priority=body.priority,
                                    device_id=device_id, staff_id=staff_id)
    # Committed above: whatever the printer does now, the ticket exists.
    printed = printing.print_ticket(view, device) if device else printing.PrintResult("skipped")
    return jsonify(ticket_json(view) | {"texts": ticket_texts(view), "print": printed.json()} | extra), 201


@bp.get("/tickets/<token>")
@document("Status of a ticket, by its public token (the phone page)", tag="tickets",
          responses={200: ("The ticket's status", TicketStatusOut)})
def ticket_status(token: str):
    view = queue().ticket_by_token(_token(token))
    return jsonify(ticket_status_json(view) | {"texts": ticket_texts(view)})


@bp.post("/tickets/<token>/reprint")
@document("Print a ticket again: a kiosk once after its print failed; front-desk staff any time, on the "
          "branch's kiosk printer", tag="tickets", auth="device|staff",
          responses={200: ("The outcome of the new attempt", PrintOut)})
def reprint(token: str):
    parse_body(Empty)
    view = queue().ticket_by_token(_token(token))
    staff = current_caller().staff
    if staff is not None:
        if staff.role not in FRONT_DESK_ROLES:
            raise ApiError(403, "forbidden", f"the role '{staff.role}' may not reprint tickets")
        return jsonify(printing.print_ticket(view, printing.branch_kiosk(view.branch), reprint=True).json())
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


def _token(token: str) -> str:
    if len(token) > MAX_TOKEN_LENGTH:
        raise ApiError(404, "not_found", "no ticket with this token")
    return token


@bp.get("/printers")
@document("Live status of every kiosk's printer (asked now, in parallel, within about 2 s)", tag="printers",
          auth="staff", responses={200: ("Printer states", None)})
@require_staff((Role.ADMIN, Role.COORDINATOR, Role.RECEPTIONIST))
def printers():
    return jsonify(printing.probe_all())
