"""What a ticket says to its visitor, in the ticket's language (screen, phone and paper alike)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from time import monotonic

from babel.support import NullTranslations, Translations
from flask import current_app, has_app_context
from flask_babel import force_locale, format_time, get_translations, gettext, ngettext
from sqlalchemy import select

from models import Branch
from models.hours import intervals
from models.numbering import zone
from models.org import localized
from models.views import TicketView
from okenko.i18n import N_
from okenko.runtime import runtime

STATUS = {   # messages, translated where they are said (N_ marks them for the catalogs)
    "waiting": N_("Waiting"),
    "called": N_("It is your turn!"),
    "serving": N_("You are being served"),
    "done": N_("Finished. Thank you!"),
    "no_show": N_("You missed your call. Please ask at the reception."),
    "cancelled": N_("This ticket was cancelled."),
}


class Catalog:
    """gettext and ngettext of one language's catalog, as Flask-Babel formats them, without its
    per-call locale lookups (a tenth of a kiosk tap while every tap had a new count to say)."""

    def __init__(self, translations: Translations | NullTranslations):
        self._translations = translations

    def gettext(self, message: str, **variables) -> str:
        text = self._translations.ugettext(message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        return self._translations.ungettext(singular, plural, num) % variables


class _RequestLocale:
    """Flask-Babel's own functions: the request's (or the forced) locale."""
    gettext = staticmethod(gettext)
    ngettext = staticmethod(ngettext)


REQUEST_LOCALE = _RequestLocale()


def people_ahead(count: int | None, say: Catalog | _RequestLocale = REQUEST_LOCALE) -> str | None:
    if count is None:
        return None
    if count == 0:
        return say.gettext("You are next.")
    return say.ngettext("%(num)d person ahead of you", "%(num)d people ahead of you", count)


def estimated_wait(minutes: int | None, waiting: bool, say: Catalog | _RequestLocale = REQUEST_LOCALE) -> str | None:
    if not waiting:
        return None
    if minutes is None:
        return say.gettext("Waiting time not known yet.")
    if minutes == 0:
        return say.gettext("You will be called any moment now.")
    if minutes < 60:
        return say.ngettext("Estimated wait: about %(num)d minute", "Estimated wait: about %(num)d minutes",
                            minutes)
    # "about 190 minutes" makes the reader do sums: hours and minutes, rounded as the estimate is rough.
    hours, rest = divmod(5 * round(minutes / 5), 60)
    if rest == 0:
        return say.ngettext("Estimated wait: about %(num)d hour", "Estimated wait: about %(num)d hours", hours)
    return say.gettext("Estimated wait: about %(hours)d h %(minutes)d min", hours=hours, minutes=rest)


def ticket_texts(view: TicketView, language: str | None = None) -> dict[str, str | None]:
    """In the ticket's language, or the one the visitor switched the phone page to."""
    language = language or view.language
    counter = view.counter["name"] if view.counter else None
    appointment = None
    if view.appointment_at:
        with force_locale(language):
            appointment = branch_time(view, view.appointment_at)
    return {"service": localized(view.service_names, language)} | _said(
        language, view.status, view.people_ahead, view.estimated_wait_minutes, counter, appointment)


# Every kiosk tap and phone refresh says one of few things (a status, a count, some minutes); the
# catalogs do not change while the process runs.
@lru_cache(maxsize=4096)
def _said(language: str, status: str, ahead: int | None, minutes: int | None, counter: str | None,
          appointment: str | None) -> dict[str, str | None]:
    say, waiting = catalog(language), status == "waiting"
    return {
        "status": say.gettext(STATUS[status]),
        "people_ahead": people_ahead(ahead, say) if waiting else None,
        "estimated_wait": estimated_wait(minutes, waiting, say),
        "counter": say.gettext("Your counter: %(counter)s", counter=counter) if counter else None,
        "appointment": say.gettext("Appointment at %(time)s", time=appointment) if appointment else None,
    }


def catalog(language: str) -> Catalog:
    """The language's catalog (kept per process; call it in an app context: outside one, Flask-Babel
    has no catalogs and its English source texts would be kept)."""
    if not has_app_context():
        raise RuntimeError("catalog() needs an app context")
    return _catalog(language)


@lru_cache(maxsize=64)
def _catalog(language: str) -> Catalog:
    with force_locale(language):
        return Catalog(get_translations())


def branch_time(view: TicketView, moment) -> str:
    """A time as the branch's clocks show it, wherever the server runs."""
    return format_time(moment.astimezone(zone(view.timezone)), "HH:mm", rebase=False)


def footer(language: str) -> str:
    with force_locale(language):
        return gettext("Keep this ticket and watch the screens: your number appears there when it is your turn. "
                       "Scan the code to follow your turn on your phone.")


# ---- the phone page: where the office is, and whether the turn comes before it closes ---------------

@dataclass(frozen=True)
class Office:
    name: str
    address: str
    closes_at: datetime | None      # the end of today's current opening, local; None: not today


# Phones ask for their status on every change of the queue; a branch's name, address and hours
# change only when an administrator edits them, so they are read at most this often per process
# (as long as the booking pages keep opening hours, models/slot_cache.py).
OFFICE_KEPT_S = 30.0


def office_of(view: TicketView, now: datetime, language: str) -> Office:
    names, address, hours = _office_record(view.branch)
    local = now.astimezone(zone(view.timezone))
    closes = next((end for start, end in intervals(hours, local.weekday()) if start <= local.time() < end), None)
    closes_at = None if closes in (None, time.max) else datetime.combine(local.date(), closes, local.tzinfo)
    return Office(localized(names, language), address, closes_at)


def _office_record(branch_code: str) -> tuple[dict, str, dict]:
    kept = current_app.extensions.setdefault("okenko.offices", {})  # per app: one per database
    entry = kept.get(branch_code)
    if entry is None or monotonic() - entry[0] >= OFFICE_KEPT_S:
        with runtime().reader() as session:
            branch = session.execute(select(Branch).where(Branch.code == branch_code)).scalar_one()
            entry = (monotonic(), dict(branch.names), branch.address, dict(branch.opening_hours or {}))
        kept[branch_code] = entry   # a ticket's branch exists: as many entries as branches
    return entry[1:]


def phone_texts(view: TicketView, language: str | None = None) -> dict[str, str | None]:
    """The ticket's texts plus what only the phone page says: the office, a near turn, closing time."""
    language = language or view.language
    now = runtime().queue.clock()
    office = office_of(view, now, language)
    texts = ticket_texts(view, language)
    with force_locale(language):
        waiting = view.status == "waiting"
        near = waiting and view.people_ahead is not None and view.people_ahead <= runtime().settings.turn_near_at
        expected = (now + timedelta(minutes=view.estimated_wait_minutes)
                    if waiting and view.estimated_wait_minutes is not None else None)
        late = expected is not None and office.closes_at is not None and expected > office.closes_at
        return texts | {
            "office": office.name,
            "address": office.address,
            "near": gettext("Your turn is near. Please stay where you can see the screens.") if near else None,
            "closing": gettext("The office closes at %(time)s, possibly before your turn. Please ask at the "
                               "reception whether you should wait.",
                               time=format_time(office.closes_at, "HH:mm", rebase=False)) if late else None,
        }
