"""Staff-facing names of statistics columns, dimensions and topics (Czech and English)."""
from __future__ import annotations

from flask import g
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from models import Topic
from okenko.runtime import runtime

COLUMNS = {
    "branch": _l("Branch"), "service": _l("Service"), "language": _l("Language"), "topic": _l("Topic"),
    "day": _l("Day"), "month": _l("Month"), "hour": _l("Hour"), "weekday": _l("Weekday"),
    "tickets": _l("Tickets"), "walk_ins": _l("Walk-ins"), "appointments": _l("Appointments"),
    "served": _l("Served"), "no_show": _l("No-shows"), "cancelled": _l("Cancelled"),
    "transferred": _l("Transferred"), "interpreter_requests": _l("Interpreter requests"),
    "interpreting_minutes": _l("Interpreting (min)"), "wait_median_s": _l("Wait, median (s)"),
    "wait_p90_s": _l("Wait, 90th percentile (s)"), "service_median_s": _l("Service time, median (s)"),
    "service_p90_s": _l("Service time, 90th percentile (s)"),
    "estimate_error_median_min": _l("Estimate error, median (min)"), "interventions": _l("Interventions"),
    "count": _l("Count"),
}
WEEKDAYS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
            _l("Sunday"))


def column_label(name: str) -> str:
    return str(COLUMNS.get(name, name))


def topic_label(code: str) -> str:
    """A topic's name in the managed list (retired topics keep theirs), in the page's language."""
    if "topic_names" not in g:
        language = str(get_locale() or "cs")
        with runtime().reader() as session:
            g.topic_names = {t.code: t.name(language) for t in session.execute(select(Topic)).scalars()}
    return g.topic_names.get(code, code)
