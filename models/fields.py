"""How much of a text from outside (a URL, a form, a socket's auth) is looked up or stored.

A value longer than its column cannot match a stored one, and one cut to the column never fails to
store: so outside texts are cut to their column's own length, in one place, before they go further.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import QueryableAttribute

# Texts that are not a column of their own.
APPOINTMENT_REFERENCE = 100  # what a visitor typed or a scanner read: a code, or the link holding it
REASON = 200                 # a staff member's reason, kept in the event's data
ECHOED = 40                  # a bad value quoted back in an error message
TOKEN = 512                  # a device or staff token as sent (only its hash is stored)
PASSWORD = 200               # a password as typed: argon2 needs no more


def fit(text: str, limit: QueryableAttribute | int) -> str:
    """`text` cut to `limit`: a mapped string column such as `Branch.code`, or one of the lengths above."""
    if isinstance(limit, int):
        return text[:limit]
    known = _LENGTHS.get(id(limit))
    if known is None:
        known = _LENGTHS[id(limit)] = (limit, limit.type.length)
    return text[:known[1]]


# Mapped columns' lengths by id() (an attribute compares as SQL, not as a key), each with its
# attribute, so that its id is never reused: asking the attribute walks SQLAlchemy's comparator,
# microseconds on paths that cut several texts a request.
_LENGTHS: dict[int, tuple[QueryableAttribute, int]] = {}


# Days this system can count from and to: date arithmetic (a day after, a zone's offset) overflows at
# the ends of Python's calendar, so days from outside are held inside these.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def iso_day(text: str) -> date:
    """A YYYY-MM-DD day from outside; ValueError when malformed or out of range."""
    day = date.fromisoformat(text)
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"{text} is outside {EARLIEST_DAY}…{LATEST_DAY}")
    return day


def in_range(moment: datetime) -> datetime:
    """A moment from outside, held to the same days (for pydantic validators)."""
    if not EARLIEST_DAY <= moment.date() <= LATEST_DAY:
        raise ValueError(f"must be between {EARLIEST_DAY} and {LATEST_DAY}")
    return moment
