"""What a ticket says to its visitor, in the ticket's language (screen, phone and paper alike)."""
from __future__ import annotations

from flask_babel import force_locale, format_time, gettext, lazy_gettext, ngettext

from models.numbering import zone
from models.org import localized
from models.views import TicketView

STATUS = {
    "waiting": lazy_gettext("Waiting"),
    "called": lazy_gettext("It is your turn!"),
    "serving": lazy_gettext("You are being served"),
    "done": lazy_gettext("Finished. Thank you!"),
    "no_show": lazy_gettext("You missed your call. Please ask at the reception."),
    "cancelled": lazy_gettext("This ticket was cancelled."),
}


def people_ahead(count: int | None) -> str | None:
    if count is None:
        return None
    if count == 0:
        return gettext("You are next.")
    return ngettext("%(num)d person ahead of you", "%(num)d people ahead of you", count)


def estimated_wait(minutes: int | None, waiting: bool) -> str | None:
    if not waiting:
        return None
    if minutes is None:
        return gettext("Waiting time not known yet.")
    if minutes == 0:
        return gettext("You will be called any moment now.")
    return ngettext("Estimated wait: about %(num)d minute", "Estimated wait: about %(num)d minutes", minutes)


def ticket_texts(view: TicketView) -> dict[str, str | None]:
    with force_locale(view.language):
        waiting = view.status == "waiting"
        counter = view.counter["name"] if view.counter else None
        return {
            "service": localized(view.service_names, view.language),
            "status": str(STATUS[view.status]),
            "people_ahead": people_ahead(view.people_ahead) if waiting else None,
            "estimated_wait": estimated_wait(view.estimated_wait_minutes, waiting),
            "counter": gettext("Please go to: %(counter)s", counter=counter) if counter else None,
            "appointment": gettext("Appointment at %(time)s", time=branch_time(view, view.appointment_at))
            if view.appointment_at else None,
        }


def branch_time(view: TicketView, moment) -> str:
    """A time as the branch's clocks show it, wherever the server runs."""
    return format_time(moment.astimezone(zone(view.timezone)), "HH:mm", rebase=False)


def footer(language: str) -> str:
    with force_locale(language):
        return gettext("Keep this ticket. Scan the code to follow your turn on your phone.")
