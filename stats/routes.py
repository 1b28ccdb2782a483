"""Staff pages: the statistics with charts and tables, and the funder report (coordinators, admins)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from models import Branch, Role, Service
from models.fields import iso_day
from models.numbering import service_day
from models.statistics import compute
from okenko.api.errors import ApiError
from okenko.i18n import LANGUAGES
from okenko.runtime import queue, runtime

from . import charts
from .export import MEASURE_COLUMNS
from .labels import WEEKDAYS, column_label, topic_label
from .periods import PERIODS, period_bounds
from .query import ALL_BRANCH_ROLES, parse

bp = Blueprint("stats", __name__, template_folder="templates", static_folder="static",
               static_url_path="/stats/static")
PAGE_ROLES = {Role.ADMIN.value, Role.COORDINATOR.value}
# Longer periods are drawn by month, shorter by day.
DAILY_TREND_DAYS = 62


@bp.before_request
@login_required
def _coordinators_only():
    if current_user.identity.role not in PAGE_ROLES:
        abort(403)


def _today() -> date:
    return service_day(runtime().settings.timezone, queue().clock())


def _period(args) -> tuple[str, date, date, date]:
    kind = args.get("period", "month")
    kind = kind if kind in PERIODS else "month"
    try:
        anchor = iso_day(args.get("date", ""))
    except ValueError:
        anchor = _today()
    if kind == "custom":
        try:
            start, end = iso_day(args.get("from", "")), iso_day(args.get("to", ""))
        except ValueError:
            start, end = period_bounds("month", anchor)
        return kind, anchor, min(start, end), max(start, end)
    return (kind, anchor, *period_bounds(kind, anchor))


def _compute(session, args: MultiDict, by: tuple[str, ...]) -> dict:
    staff = current_user.identity
    query_args = MultiDict(args)
    query_args.setlist("by", [",".join(by)])
    return compute(session, parse(query_args, session, staff.id, staff.role), queue().clock())


def _choices(session):
    from sqlalchemy import select
    branches = session.execute(select(Branch).order_by(Branch.code)).scalars().all()
    services = {}
    for service in session.execute(select(Service).order_by(Service.sort_order)).scalars():
        services.setdefault(service.code, service.name(_locale()))
    return [(b.code, b.name(_locale())) for b in branches], list(services.items())


def _locale() -> str:
    from flask_babel import get_locale
    return str(get_locale() or "cs")


@bp.get("/statistics")
def page():
    kind, anchor, start, end = _period(request.args)
    args = MultiDict([(k, v) for k, v in request.args.items(multi=True) if k in ("branch", "service", "language")])
    args["from"], args["to"] = start.isoformat(), end.isoformat()
    trend_by = ("day",) if (end - start).days < DAILY_TREND_DAYS else ("month",)
    with runtime().reader() as session:
        try:
            by_service = _compute(session, args, ("service",))
            by_language = _compute(session, args, ("language",))
            over_time = _compute(session, args, trend_by)
            by_hour = _compute(session, args, ("weekday", "hour"))
            by_branch = _compute(session, args, ("branch",))
        except ApiError as exc:
            abort(exc.status)
        branches, services = _choices(session)
    service_names = dict(services)
    heat = {(r["weekday"], r["hour"]): r["tickets"] for r in by_hour["rows"]}
    hours = list(range(min((h for _, h in heat), default=8), max((h for _, h in heat), default=17) + 1))
    context = {
        "kind": kind, "anchor": anchor, "start": start, "end": end, "periods": PERIODS,
        "branches": branches, "services": services, "languages": [(c, lang.native) for c, lang in LANGUAGES.items()],
        "chosen": {k: request.args.getlist(k) for k in ("branch", "service", "language")},
        "total": by_service["total"], "topics": [(topic_label(t["topic"]), t["count"]) for t in by_service["topics"]],
        "measures": MEASURE_COLUMNS, "label": column_label,
        "service_rows": [(service_names.get(r["service"], r["service"]), r) for r in by_service["rows"]],
        "language_rows": [(LANGUAGES[r["language"]].native if r["language"] in LANGUAGES else r["language"], r)
                          for r in by_language["rows"]],
        "branch_rows": [(dict(branches).get(r["branch"], r["branch"]), r) for r in by_branch["rows"]],
        "trend_rows": [(r.get("day") or r.get("month"), r["tickets"]) for r in over_time["rows"]],
        "trend_unit": trend_by[0], "weekdays": [str(w) for w in WEEKDAYS], "hours": hours, "heat": heat,
        "export_query": args.to_dict(flat=False),
    }
    context["service_chart"] = charts.bars([(name, r["tickets"]) for name, r in context["service_rows"]])
    context["language_chart"] = charts.bars([(name, r["tickets"]) for name, r in context["language_rows"]])
    context["branch_chart"] = charts.bars([(name, r["tickets"]) for name, r in context["branch_rows"]])
    context["trend_chart"] = charts.trend(context["trend_rows"])
    context["heat_chart"] = charts.heat_map(heat, hours)
    return render_template("stats/statistics.html", lang=_locale(), **context)


@bp.get("/statistics/report")
def funder_report():
    """One printable page per quarter or year: the figures funders ask for, against the yearly target."""
    kind = request.args.get("period", "quarter")
    kind = kind if kind in ("quarter", "year") else "quarter"
    try:
        anchor = iso_day(request.args.get("date", ""))
    except ValueError:
        anchor = _today()
    start, end = period_bounds(kind, anchor)
    args = MultiDict([(k, v) for k, v in request.args.items(multi=True) if k == "branch"])
    args["from"], args["to"] = start.isoformat(), end.isoformat()
    with runtime().reader() as session:
        try:
            tables = {by: _compute(session, args, (by,)) for by in ("branch", "service", "language")}
        except ApiError as exc:
            abort(exc.status)
        branches, services = _choices(session)
    total = tables["branch"]["total"]
    share = (end - start + timedelta(days=1)).days / ((date(start.year, 12, 31) - date(start.year, 1, 1)).days + 1)
    target = round(runtime().settings.yearly_target * len(tables["branch"]["branches"]) * share)
    names = {"branch": dict(branches), "service": dict(services),
             "language": {c: lang.native for c, lang in LANGUAGES.items()}}
    sections = [(by, [(names[by].get(r[by], r[by]), r) for r in tables[by]["rows"]]) for by in names]
    return render_template("stats/report.html", lang=_locale(), kind=kind, start=start, end=end, total=total, target=target,
                           sections=sections, topics=[(topic_label(t["topic"]), t["count"])
                                                      for t in tables["branch"]["topics"]],
                           label=column_label, anchor=anchor, chosen=request.args.getlist("branch"),
                           branches=branches, all_branches=current_user.identity.role in ALL_BRANCH_ROLES,
                           progress=round(100 * total["served"] / target) if target else None, _=_)
