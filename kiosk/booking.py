"""The public booking pages (no account, no script needed): branch → service → language → day → slot,
then the appointment's own page (/a/<code>): code and QR, calendar file, change the time, cancel.

Every page speaks the visitor's language (?lang=, else the browser's); the consultation language is
chosen separately (?in=). The appointment's QR holds its page's address, so a kiosk's scanner can
check it in and a phone can open it.
"""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from urllib.parse import quote_plus

import qrcode
import qrcode.image.svg
from babel import Locale
from babel.dates import format_date, format_skeleton, get_day_names
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from models import Appointment, Branch, DomainError, NotFound, Service, SlotFull
from models.codes import display_code, normalize_code
from models.numbering import zone
from models.fields import APPOINTMENT_REFERENCE, fit, iso_day
from models.org import localized
from okenko.api.serialize import appointment_url
from okenko.i18n import DEFAULT, LANGUAGES, direction
from okenko.limits import TooManyAttempts, client_address, code_lookup, code_misses, limiter, refused
from okenko.public_forms import CrossSiteForm, public_form
from okenko.runtime import appointments, runtime

from .booking_api import booking_limit
from .booking_cache import a_day, cached_read
from .ics import appointment_ics

bp = Blueprint("booking", __name__, template_folder="templates", static_folder="static",
               static_url_path="/booking/static")


def page_language() -> str:
    chosen = request.values.get("lang", "")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT)


def render(template: str, status: int = 200, **context):
    lang = page_language()
    with force_locale(lang):
        return render_template(template, lang=lang, dir=direction(lang), languages=LANGUAGES,
                               localized=localized, switch_language=_switch_language, **context), status


def _offered_language(code: str) -> bool:
    return code in LANGUAGES


# A form's answer (a refusal, an error) links to the page the form was on.
_PAGE_OF_FORM = {"booking.book": "booking.slots", "booking.cancel": "booking.appointment"}
_NOT_CARRIED = frozenset({"lang", "start", "contact", "endpoint"})


def _switch_language(code: str) -> str:
    """This page in another language (a form's answer: the page the form was on). Only the page's
    own choices are carried, never a field that would clash with its path or url_for's options."""
    view_args = request.view_args or {}
    endpoint = request.endpoint if request.method == "GET" else _PAGE_OF_FORM.get(request.endpoint or "")
    if endpoint is None:
        return url_for("booking.branches", lang=code)
    params = {key: value for key, value in request.values.items()
              if key not in _NOT_CARRIED and key not in view_args and not key.startswith("_")}
    return url_for(endpoint, **view_args, **params, lang=code)


# ---- choosing ---------------------------------------------------------------------------------------

@bp.get("/book")
def branches():
    return render("booking/branches.html", branches=_bookable_branches())


@bp.get("/book/<branch>")
def services(branch: str):
    found = _branch(branch)
    offered = [s for s in found["services"] if s["bookable"]]
    return render("booking/services.html", branch=found, services=offered)


@bp.get("/book/<branch>/<service>")
@cached_read("page", scope=lambda branch, service: (fit(branch, Branch.code), fit(service, Service.code)),
             params={"lang": _offered_language, "in": _offered_language, "date": a_day}, language=page_language)
def slots(branch: str, service: str, problem: str | None = None, status: int = 200):
    found = _branch(branch)
    chosen = next((s for s in found["services"] if s["code"] == service and s["bookable"]), None)
    if chosen is None:
        abort(404)
    lang = page_language()
    offered = chosen["languages"] or found["languages"]
    consult = request.values.get("in") if request.values.get("in") in offered else (
        lang if lang in offered else offered[0])
    days = [d | {"label": format_skeleton("MMMEd", d["date"], locale=lang)} for d in appointments().days(branch, service)]
    day = _chosen_day(days)
    times = [s | {"label": _time_label(s["start"], found["timezone"], lang)}
             for s in appointments().slots(branch, service, day)] if day else []
    with force_locale(lang):
        parts = _parts_of_day(times, found["timezone"])
    rebooking = _rebooking()
    state = {"lang": lang, "in": consult, "date": day.isoformat() if day else None,
             "rebook": rebooking.code if rebooking else None}

    def here(changes: dict) -> str:
        return url_for("booking.slots", branch=branch, service=service, **(state | changes))

    return render("booking/slots.html", status, branch=found, service=chosen, offered=offered, consult=consult,
                  days=days, months=_months(days, day, lang), weekdays=_weekday_names(lang), day=day,
                  day_label=_day_label(day, lang) if day else "", parts=parts,
                  rebook=rebooking, problem=problem, here=here)


@bp.post("/book/<branch>/<service>")
@public_form
@limiter.limit(booking_limit)
def book(branch: str, service: str):
    start = _start_arg()
    if start is None:
        with force_locale(page_language()):
            return slots(branch, service, _("Please choose a time."), 422)
    code = _rebooking()
    try:
        if code:
            view = appointments().rebook(code.code, start)
        else:
            view = appointments().book(branch, service, request.form.get("in", ""), start,
                                       contact=fit(request.form.get("contact", ""), Appointment.contact))
    except SlotFull:
        with force_locale(page_language()):
            return slots(branch, service, _("Someone has just taken this time. Please choose another one."), 409)
    except DomainError as exc:
        with force_locale(page_language()):
            return slots(branch, service, _("This time cannot be booked. Please choose another one."),
                         422 if not isinstance(exc, NotFound) else 404)
    return redirect(url_for("booking.appointment", code=view.code, lang=page_language()), 303)


@bp.errorhandler(CrossSiteForm)
def foreign_form(_error):
    """A form sent by another site's page: nothing is done; the visitor may choose again here (a
    cancellation is asked again on the appointment's own page, which limits code lookups)."""
    view_args = request.view_args or {}
    if request.endpoint == "booking.cancel":
        return redirect(url_for("booking.appointment", code=view_args["code"], lang=page_language(),
                                confirm="cancel"), 303)
    with force_locale(page_language()):
        problem = _("This choice was sent from another website. Please choose again here.")
    try:
        return slots(view_args["branch"], view_args["service"], problem, 403)
    except HTTPException as error:        # an error handler's own abort would become a 500
        return too_many(error) if error.code == 429 else not_found(error)


@bp.errorhandler(404)
def not_found(_error):
    """An unknown office, service or code: say so, and offer the start again."""
    with force_locale(page_language()):
        problem = _("We cannot find this page or appointment. Please start again or check the code.")
    return render("booking/branches.html", 404, branches=_bookable_branches(), problem=problem)


@bp.errorhandler(429)
def too_many(error):
    with force_locale(page_language()):
        problem = _("Too many attempts from your connection. Please wait a few minutes and try again.")
    response, status = render("booking/branches.html", 429, branches=[], problem=problem)
    return response, status, {"Retry-After": str(getattr(error, "retry_after", 60) or 60)}


# ---- the appointment's page -------------------------------------------------------------------------

@bp.get("/a")
def find():
    code = normalize_code(request.args.get("code", ""))
    if code is None:
        with force_locale(page_language()):
            problem = _("This is not an appointment code. It has 8 letters and digits, e.g. ACDE-FH34.")
        return render("booking/branches.html", 422, branches=[], problem=problem, lookup=request.args.get("code", ""))
    return redirect(url_for("booking.appointment", code=code, lang=page_language()))


@bp.get("/a/<code>")
@code_lookup
def appointment(code: str):
    view = _appointment(code)
    lang = page_language()
    return render("booking/appointment.html", appointment=view, code=display_code(view.code),
                  when=_day_label(view.start.astimezone(zone(view.timezone)).date(), lang),
                  start=_time_label(view.start, view.timezone, lang),
                  check_in_from=_time_label(view.check_in_from, view.timezone, lang),
                  check_in_until=_time_label(view.check_in_until, view.timezone, lang),
                  url=appointment_url(view.code), ticket_url=_ticket_url(view),
                  map_url=_map_url(view.branch_address), confirm_cancel=request.args.get("confirm") == "cancel")


@bp.get("/a/<code>.ics")
@code_lookup
def calendar_file(code: str):
    view = _appointment(code)
    # The appointment's own language (the visitor chose it when booking), not the browser's.
    language = view.language if view.language in LANGUAGES else page_language()
    return Response(appointment_ics(view, appointment_url(view.code), language), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="okenko-{view.code}.ics"'})


@bp.get("/a/<code>/qr.svg")
@code_lookup
def qr(code: str):
    view = _appointment(code)
    image = qrcode.make(appointment_url(view.code), image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                        border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@bp.post("/a/<code>/cancel")
@public_form
@code_lookup
def cancel(code: str):
    try:
        appointments().cancel(fit(code, APPOINTMENT_REFERENCE))
    except NotFound:
        abort(404)
    except DomainError:
        pass  # no longer booked (checked in, cancelled, missed): the page shows its state
    return redirect(url_for("booking.appointment", code=code, lang=page_language()), 303)


# ---- helpers ----------------------------------------------------------------------------------------

def _bookable_branches() -> list[dict]:
    with runtime().reader() as session:
        found = session.execute(select(Branch).options(selectinload(Branch.services)).order_by(Branch.id)).scalars()
        return [{"code": b.code, "names": dict(b.names), "address": b.address}
                for b in found if any(s.bookable and s.active for s in b.services)]


def _branch(code: str) -> dict:
    with runtime().reader() as session:
        branch = session.execute(select(Branch).where(Branch.code == fit(code, Branch.code))
                                 .options(selectinload(Branch.services))).scalar_one_or_none()
        if branch is None:
            abort(404)
        return {"code": branch.code, "names": dict(branch.names), "address": branch.address,
                "timezone": branch.timezone, "languages": [c for c in branch.languages if c in LANGUAGES],
                "services": [{"code": s.code, "names": dict(s.names), "descriptions": dict(s.descriptions),
                              "languages": list(s.languages), "bookable": s.bookable and s.active,
                              "slot_minutes": s.slot_minutes} for s in branch.services]}


def _appointment(code: str):
    try:
        return appointments().get(fit(code, APPOINTMENT_REFERENCE))
    except NotFound:
        abort(404)


def _rebooking():
    """The appointment being moved (?rebook=CODE), if it is still booked. A code is a key: an
    unknown one is charged to the address's budget of code lookups, as on the appointment's page."""
    code = request.values.get("rebook", "")
    if not code:
        return None
    address = client_address()
    try:
        code_misses.charge(address)
    except TooManyAttempts as exc:
        raise refused(exc, "too many unknown appointment codes from this address") from None
    try:
        view = appointments().get(fit(code, APPOINTMENT_REFERENCE))
    except NotFound:
        return None
    code_misses.refund(address)
    return view if view.status == "booked" else None


def _chosen_day(days: list[dict]) -> date | None:
    try:
        wanted = iso_day(request.values.get("date", ""))
    except ValueError:
        wanted = None
    if wanted and any(d["date"] == wanted for d in days):
        return wanted
    return next((d["date"] for d in days if d["free"]), None)


def _start_arg() -> datetime | None:
    try:
        return datetime.fromisoformat(request.form.get("start", ""))
    except ValueError:
        return None


def _day_label(day: date, lang: str) -> str:
    return format_date(day, format="full", locale=lang)


def _time_label(moment: datetime, timezone: str, lang: str) -> str:
    """24-hour clock in every language (CLDR's "short" time is 12-hour in Arabic and English)."""
    return format_skeleton("Hm", moment.astimezone(zone(timezone)), locale=lang)


# ---- the day picker and the parts of the day --------------------------------------------------------

PARTS_OF_DAY = ((12, _l("Morning")), (17, _l("Afternoon")), (24, _l("Evening")))


def _parts_of_day(times: list[dict], timezone: str) -> list[dict]:
    """Slots grouped as morning / afternoon / evening, each slot labelled with its free places."""
    parts: dict[str, list[dict]] = {}
    for slot in times:
        hour = slot["start"].astimezone(zone(timezone)).hour
        title = next(str(name) for until, name in PARTS_OF_DAY if hour < until)
        places = ngettext("%(num)d place", "%(num)d places", slot["free"]) if slot["free"] else _("full")
        parts.setdefault(title, []).append(slot | {"places": places})
    return [{"title": title, "slots": slots} for title, slots in parts.items()]


def _weekday_names(lang: str) -> list[dict]:
    first = Locale.parse(lang).first_week_day
    short, full = get_day_names("short", locale=lang), get_day_names("wide", locale=lang)
    return [{"short": short[(first + n) % 7], "full": full[(first + n) % 7]} for n in range(7)]


def _months(days: list[dict], chosen: date | None, lang: str) -> list[dict]:
    """The bookable days as month grids of weeks (a phone sees the month, not 30 buttons)."""
    if not days:
        return []
    free = {d["date"]: d["free"] for d in days}
    first_weekday = Locale.parse(lang).first_week_day
    months: list[dict] = []
    day = days[0]["date"]
    while day <= days[-1]["date"]:
        if not months or months[-1]["key"] != (day.year, day.month):
            months.append({"key": (day.year, day.month), "title": format_date(day, "LLLL y", locale=lang),
                           "weeks": []})
        weeks = months[-1]["weeks"]
        column = (day.weekday() - first_weekday) % 7
        if not weeks or column == 0:
            weeks.append([None] * 7)
        weeks[-1][column] = {"date": day, "number": day.day, "free": free.get(day, 0), "bookable": day in free,
                             "current": day == chosen, "label": format_date(day, "full", locale=lang)}
        day += timedelta(days=1)
    return months


def _map_url(address: str) -> str | None:
    return f"https://www.openstreetmap.org/search?query={quote_plus(address)}" if address else None


def _ticket_url(view) -> str | None:
    if not view.ticket:
        return None
    return url_for("kiosk.ticket_page", token=view.ticket["token"])

