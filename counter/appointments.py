"""The day's appointments of a branch for staff: by service and status, with check-in on the visitor's
behalf (no kiosk at hand) and cancelling."""
from __future__ import annotations

from collections import Counter as Tally
from datetime import date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import AppointmentStatus, Branch, DomainError, IllegalTransition, NotFound
from models.fields import iso_day
from models.appointments import CheckInRefused
from models.codes import display_code
from models.numbering import service_day, zone
from okenko.i18n import LANGUAGES
from okenko.runtime import appointments, runtime

from .reception import front_desk_only

bp = Blueprint("staff_appointments", __name__, template_folder="templates")
bp.before_request(front_desk_only)

STATUS_LABELS = {"booked": _l("Booked"), "checked_in": _l("Checked in"), "served": _l("Served"),
                 "no_show": _l("No-show"), "cancelled": _l("Cancelled")}
# Why the engine refused a check-in (CheckInRefused.reason), as the front desk reads it.
REFUSALS = {
    "wrong_branch": _l("The appointment is at another branch: %(branch)s."),
    "cancelled": _l("The appointment was cancelled."),
    "already_checked_in": _l("The appointment is already checked in: ticket %(ticket)s."),
    "not_today": _l("The appointment is on another day."),
    "too_early": _l("Too early: check-in opens at %(time)s."),
    "too_late": _l("The time to check this appointment in has passed."),
}


@bp.get("/appointments")
def day():
    with runtime().reader() as session:
        branches = [b for b in session.execute(select(Branch).order_by(Branch.id)
                                               .options(selectinload(Branch.services))).scalars()
                    if current_user.identity.works_at(b.code)]
        if not branches:
            abort(403)
        branch = next((b for b in branches if b.code == request.args.get("branch")), branches[0])
        services = [(s.code, s.name("cs")) for s in branch.services if s.bookable]
        names = [(b.code, b.name("cs")) for b in branches]
        timezone, branch_code = branch.timezone, branch.code
    chosen_day = _day_arg(timezone)
    service = request.args.get("service") or None
    listed = appointments().day_list(branch_code, chosen_day, service)
    rows = [{"view": view, "code": display_code(view.code),
             "time": view.start.astimezone(zone(timezone)).strftime("%H:%M"),
             "service": dict(services).get(view.service, view.service),
             "language": LANGUAGES[view.language].native if view.language in LANGUAGES else view.language}
            for view in listed]
    totals = Tally(view.status for view in listed)
    return render_template("counter/appointments.html", rows=rows, branches=names, branch=branch_code,
                           services=services, service=service, day=chosen_day, totals=totals,
                           statuses=[(s.value, str(STATUS_LABELS[s.value])) for s in AppointmentStatus])


@bp.post("/appointments/<code>/check-in")
def check_in(code: str):
    branch = request.form.get("branch", "")
    try:
        _appointment, ticket = appointments().check_in(branch, code, staff_id=current_user.identity.id)
        flash(_("Checked in: ticket %(number)s", number=ticket.number), "ok")
    except DomainError as exc:
        flash(_problem(exc), "error")
    return _back()


@bp.post("/appointments/<code>/cancel")
def cancel(code: str):
    try:
        appointments().cancel(code, staff_id=current_user.identity.id)
        flash(_("Appointment %(code)s cancelled.", code=display_code(code)), "ok")
    except DomainError as exc:
        flash(_problem(exc), "error")
    return _back()


def _problem(exc: DomainError) -> str:
    """The engine's refusal in the staff member's language."""
    if isinstance(exc, CheckInRefused) and exc.reason in REFUSALS:
        details = exc.details
        opens = details.get("check_in_from")
        return str(REFUSALS[exc.reason]) % {
            "branch": details.get("branch_names", {}).get("cs", details.get("branch", "")),
            "ticket": details.get("ticket") or "–",
            "time": datetime.fromisoformat(opens).astimezone(zone(details["timezone"])).strftime("%H:%M")
            if opens else "",
        }
    if isinstance(exc, NotFound):
        return _("No appointment with this code.")
    if isinstance(exc, IllegalTransition):
        return _("This appointment can no longer be changed.")
    return exc.message


def _day_arg(timezone: str) -> date:
    try:
        return iso_day(request.args.get("date", ""))
    except ValueError:
        return service_day(timezone, appointments().engine.clock())


def _back():
    keep = {key: request.form[key] for key in ("branch", "date", "service") if request.form.get(key)}
    return redirect(url_for("staff_appointments.day", **keep), 303)
