"""Appointments over JSON: free slots, booking, view/cancel/rebook by code, the day list for staff.

Booking is public (no account) and rate-limited per client address; staff (a counsellor's
referral) are not limited. The code is the key to an appointment: whoever holds it may view,
cancel or move it, as on the visitor's page.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, jsonify, request

from models import Branch, Service
from models.fields import APPOINTMENT_REFERENCE, fit, iso_day
from okenko.api.errors import ApiError
from okenko.api.openapi import document
from okenko.api.schemas import (
    AppointmentList,
    AppointmentOut,
    BookAppointment,
    BookingDayList,
    PrintAtCounter,
    PrintOut,
    Rebook,
    SlotList,
    parse_body,
)
from okenko.api.serialize import appointment_json
from okenko.auth import (COUNTER_ROLES, FRONT_DESK_ROLES, authorize, branch_named, branch_of_counter, current_caller,
                         may, require_staff)
from okenko.limits import code_lookup, limiter
from okenko.runtime import appointments

from .booking_cache import a_day, any_value, cached_read
from .printing import print_confirmation

bp = Blueprint("booking_api", __name__, url_prefix="/api/v1")


def booking_limit() -> str:
    return current_app.config["OKENKO_SETTINGS"].booking_rate_limit


def is_staff_request() -> bool:
    return current_caller().staff is not None


@bp.get("/branches/<code>/slots")
@document("Appointment slots of a service on a day (?service=CODE&date=YYYY-MM-DD) that have not begun, "
          "with their free places", tag="appointments", responses={200: ("Slots", SlotList)},
          query={"service": "The service's code (required)", "date": "The day, YYYY-MM-DD (required)"})
@cached_read("slots", scope=lambda code: _scope(code), params={"service": any_value, "date": a_day})
def slots(code: str):
    service, day = _service_arg(), _date_arg()
    return jsonify([{"start": s["start"].isoformat(), "end": s["end"].isoformat(), "capacity": s["capacity"],
                     "free": s["free"]} for s in appointments().slots(fit(code, Branch.code), service, day)])


@bp.get("/branches/<code>/booking-days")
@document("Days a service (?service=CODE) can be booked, from today to the branch's horizon, with free places",
          tag="appointments", responses={200: ("Days", BookingDayList)},
          query={"service": "The service's code (required)"})
@cached_read("days", scope=lambda code: _scope(code), params={"service": any_value})
def booking_days(code: str):
    days = appointments().days(fit(code, Branch.code), _service_arg())
    return jsonify([{"date": d["date"].isoformat(), "free": d["free"]} for d in days])


@bp.post("/appointments")
@limiter.limit(booking_limit, methods=["POST"], exempt_when=is_staff_request)
@document("Book an appointment (public; staff may link a referral). 409 slot_full when the slot is taken",
          tag="appointments", body=BookAppointment, responses={201: ("The appointment", AppointmentOut)})
def book():
    body = parse_body(BookAppointment)
    staff = current_caller().staff
    if body.referral_ticket is not None and not may(staff, FRONT_DESK_ROLES):
        raise ApiError(403, "forbidden", "only staff may book a referral", field="referral_ticket")
    view = appointments().book(body.branch, body.service, body.language, body.start, contact=body.contact,
                               referral_ticket_id=body.referral_ticket, staff_id=staff.id if staff else None)
    return jsonify(appointment_json(view, staff=staff is not None)), 201


@bp.get("/appointments/<code>")
@code_lookup
@document("An appointment, by its code", tag="appointments", responses={200: ("The appointment", AppointmentOut)})
def show(code: str):
    return jsonify(appointment_json(appointments().get(fit(code, APPOINTMENT_REFERENCE)), staff=is_staff_request()))


@bp.delete("/appointments/<code>")
@code_lookup
@document("Cancel an appointment, by its code; its place becomes free", tag="appointments",
          responses={200: ("The cancelled appointment", AppointmentOut)})
def cancel(code: str):
    staff = current_caller().staff
    view = appointments().cancel(fit(code, APPOINTMENT_REFERENCE), staff_id=staff.id if staff else None)
    return jsonify(appointment_json(view, staff=staff is not None))


@bp.post("/appointments/<code>/rebook")
@limiter.limit(booking_limit, methods=["POST"], exempt_when=is_staff_request)
@code_lookup
@document("Move an appointment to another slot of its service; the code stays", tag="appointments",
          body=Rebook, responses={200: ("The moved appointment", AppointmentOut)})
def rebook(code: str):
    body = parse_body(Rebook)
    staff = current_caller().staff
    view = appointments().rebook(fit(code, APPOINTMENT_REFERENCE), body.start, staff_id=staff.id if staff else None)
    return jsonify(appointment_json(view, staff=staff is not None))


@bp.post("/appointments/<code>/print")
@document("Print an appointment's confirmation on the printer of a counter (a referral handed to the client)",
          tag="appointments", auth="staff", body=PrintAtCounter, responses={200: ("The outcome", PrintOut)})
@require_staff(COUNTER_ROLES)
def print_at_counter(code: str):
    body = parse_body(PrintAtCounter)
    authorize(COUNTER_ROLES, branch_of_counter(body.counter))  # a printer at a desk of one's own branch
    outcome = print_confirmation(appointments().get(fit(code, APPOINTMENT_REFERENCE)), body.counter)
    if outcome.status == "skipped":
        raise ApiError(409, "no_printer", "this counter has no printer; show the code and QR on screen instead")
    return jsonify(outcome.json())


@bp.get("/branches/<code>/appointments")
@document("A branch's appointments on a day (?date=YYYY-MM-DD, optional &service=CODE), with contacts",
          tag="appointments", auth="staff", responses={200: ("Appointments", AppointmentList)})
@require_staff(FRONT_DESK_ROLES, branch=branch_named)
def day_list(code: str):
    listed = appointments().day_list(fit(code, Branch.code), _date_arg(), request.args.get("service") or None)
    return jsonify([appointment_json(view, staff=True) for view in listed])


def _scope(code: str) -> tuple[str, str]:
    """The (branch, service) whose bookings make a public read stale."""
    return fit(code, Branch.code), fit(request.args.get("service", ""), Service.code)


def _service_arg() -> str:
    service = request.args.get("service", "")
    if not service:
        raise ApiError(422, "invalid_request", "give the service: ?service=CODE", field="service")
    return fit(service, Service.code)


def _date_arg() -> date:
    text = request.args.get("date", "")
    try:
        return iso_day(text)
    except ValueError:
        raise ApiError(422, "invalid_request", "give the day as ?date=YYYY-MM-DD", field="date") from None

