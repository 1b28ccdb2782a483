"""Words for the engine's codes on staff pages: counter states, ticket statuses, history events.

The engine and the API speak in codes ("serving", "ticket.transferred"); a counsellor reads these.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

COUNTER_STATES = {"open": _l("open"), "paused": _l("paused"), "closed": _l("closed")}

TICKET_STATUSES = {
    "waiting": _l("waiting"), "called": _l("called"), "serving": _l("serving"), "done": _l("done"),
    "no_show": _l("did not come"), "cancelled": _l("cancelled"),
}

HISTORY_EVENTS = {
    "ticket.issued": _l("ticket issued"), "ticket.called": _l("called"), "ticket.recalled": _l("called again"),
    "ticket.started": _l("service started"), "ticket.finished": _l("finished"),
    "ticket.no_show": _l("did not come"), "ticket.transferred": _l("transferred"),
    "ticket.cancelled": _l("cancelled"), "ticket.printed": _l("printed"),
    "ticket.print_failed": _l("printing failed"), "appointment.checked_in": _l("checked in for the appointment"),
    "interpreter.requested": _l("interpreter requested"), "interpreter.accepted": _l("interpreter accepted"),
    "interpreter.finished": _l("interpreting finished"),
}


# "Call staff" alerts from kiosks (okenko/static/help-alerts.js).
HELP_ALERTS = {"help": _l("%(kiosk)s, since %(time)s"), "acknowledge": _l("I am on my way")}


def help_labels() -> dict[str, str]:
    return {key: str(label) % {"kiosk": "{kiosk}", "time": "{time}"} if key == "help" else str(label)
            for key, label in HELP_ALERTS.items()}


def as_text(labels: dict) -> dict[str, str]:
    """The labels in the current language, for a page's JSON config."""
    return {code: str(label) for code, label in labels.items()}
