"""Counter console pages: choose and take a counter, then serve from the console."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Branch, Conflict, Counter, IllegalTransition, Staff, active_topics
from okenko.api.errors import ApiError
from okenko.auth import COUNTER_ROLES, authorize, branch_of_counter
from okenko.i18n import LANGUAGES
from okenko.runtime import queue, runtime

from .labels import COUNTER_STATES, HISTORY_EVENTS, TICKET_STATUSES, as_text, help_labels

bp = Blueprint("counter", __name__, template_folder="templates", static_folder="static",
               static_url_path="/counter/static")

@bp.before_request
@login_required
def _counter_staff_only():
    """Counter roles only, and a counter's pages only at a branch the person works at."""
    counter_id = (request.view_args or {}).get("counter_id")
    try:
        authorize(COUNTER_ROLES, branch_of_counter(counter_id) if counter_id is not None else None)
    except ApiError:
        abort(403)


@bp.get("/counter")
def choose():
    with runtime().reader() as session:
        branches = session.execute(
            select(Branch).order_by(Branch.code).options(
                selectinload(Branch.counters).selectinload(Counter.services),
                selectinload(Branch.counters).selectinload(Counter.staff))
        ).scalars().all()
        me = session.get(Staff, current_user.identity.id)
        branches = [b for b in branches if current_user.identity.works_at(b.code)]
        return render_template("counter/choose.html", branches=branches, my_languages=me.languages,
                               languages=LANGUAGES, me=me.id, states=COUNTER_STATES)


@bp.post("/counter/<int:counter_id>/take")
def take(counter_id: int):
    languages = [code for code in request.form.getlist("languages") if code in LANGUAGES]
    try:
        queue().open_counter(counter_id, staff_id=current_user.identity.id, languages=languages,
                             force=request.form.get("force") == "yes")
    except Conflict as exc:
        flash(_("%(message)s. Take it over anyway?", message=exc.message), "error")
        return redirect(url_for("counter.choose", confirm=counter_id))
    except IllegalTransition as exc:
        flash(exc.message, "error")
        return redirect(url_for("counter.choose"))
    return redirect(url_for("counter.console", counter_id=counter_id))


@bp.get("/counter/<int:counter_id>")
def console(counter_id: int):
    with runtime().reader() as session:
        counter = session.get(Counter, counter_id, options=[selectinload(Counter.services)])
        if counter is None:
            abort(404)
        branch = session.execute(select(Branch).where(Branch.id == counter.branch_id).options(
            selectinload(Branch.services), selectinload(Branch.counters).selectinload(Counter.services))
        ).scalar_one()
        config = {
            "counter": counter.id,
            "name": counter.name,
            "branch": branch.code,
            "timezone": branch.timezone,
            "services": [{"code": s.code, "name": s.name("cs"), "prefix": s.prefix} for s in branch.services],
            "counters": [{"id": c.id, "name": c.name, "services": [s.code for s in c.services]}
                         for c in branch.counters],
            # The managed list (administration → Intervention topics), in the staff member's language.
            "topics": [{"code": t.code, "label": t.name(str(get_locale()))} for t in active_topics(session)],
            "languages": {code: lang.native for code, lang in LANGUAGES.items()},
            "labels": {"pause": _("Pause"), "resume": _("Resume"), "accept": _("Accept"),
                       "appointment": _("appointment"),
                       "finish_interpreting": _("Finish interpreting"),
                       "requested": _("Interpreter requested (%(language)s)…", language="{language}"),
                       "coming": _("Interpreter coming: %(name)s", name="{name}"),
                       "states": as_text(COUNTER_STATES), "statuses": as_text(TICKET_STATUSES),
                       "events": as_text(HISTORY_EVENTS)} | help_labels(),
            "me": current_user.identity.id,
            "referral": _referral_config(session, counter),
        }
    return render_template("counter/console.html", config=config, name=counter.name)


def _referral_config(session, counter: Counter) -> dict:
    """Where a counsellor can book a follow-up: every branch's bookable services."""
    branches = session.execute(select(Branch).order_by(Branch.id).options(selectinload(Branch.services))).scalars()
    return {
        "branches": [{"code": b.code, "name": b.name("cs"), "languages": b.languages, "timezone": b.timezone,
                      "services": [{"code": s.code, "name": s.name("cs"), "languages": s.languages}
                                   for s in b.services if s.bookable and s.active]}
                     for b in branches],
        "hasPrinter": bool(counter.printer),
        "labels": {"none": _("No free time on this day."), "booked": _("Booked: %(code)s", code="{code}"),
                   "printed": _("Printed."), "not_printed": _("Not printed: %(reason)s", reason="{reason}")},
    }
