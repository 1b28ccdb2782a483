"""Position in queue and estimated wait: positions count by the call-next rule itself (policy.rank_key).

These run on every ticket issued, so the statements are built once with bound parameters:
building SQLAlchemy expressions per call cost more than running them.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace

from sqlalchemy import ColumnElement, Integer, and_, bindparam, case, func, literal, or_, select
from sqlalchemy.orm import Session

from . import policy
from .base import UTCDateTime
from .org import Counter, counter_services
from .queue import Ticket
from .states import CounterState, TicketStatus

# Service times of this many recent finished tickets make the average.
RECENT_SERVICES = 20
# The configured expected duration counts as this many samples: a few quick services (a question
# answered at once) must not make "10 people ahead, about 3 minutes".
PRIOR_SAMPLES = 5
# The estimate never falls below this share of the configured expected duration.
FLOOR_SHARE = 0.5


@dataclass(frozen=True)
class Place:
    """A waiting ticket as the policy orders it, and the queue it waits in."""

    ticket: policy.Candidate
    branch_id: int
    service_day: date

    @classmethod
    def of(cls, ticket: Ticket) -> "Place":
        candidate = policy.Candidate(ticket.id, ticket.service_id, ticket.language, ticket.priority,
                                     ticket.effective_at, ticket.due_at, ticket.target_counter_id,
                                     ticket.service.needs_language_match)
        return cls(candidate, ticket.branch_id, ticket.service_day)


class _SqlTerms:
    """The operations of `policy.rank_key` on SQL expressions."""

    @staticmethod
    def due(due_at, limit):
        return and_(due_at.is_not(None), due_at <= limit)

    @staticmethod
    def not_in(value, options):
        return value.not_in(bindparam("languages", expanding=True))

    @staticmethod
    def if_(condition, yes, no):
        return case((condition, yes), else_=no)


class _StatementLanguages:
    """Stands for the counter's languages when the rule is built into a statement once (a parameter)."""

    def __bool__(self) -> bool:
        return True


class _StatementTime:
    """Stands for `now` when the rule is built into a statement once: `now + lead` becomes a parameter."""

    def __add__(self, lead):
        return bindparam("due_limit", type_=UTCDateTime)


def _columns(needs_language_match: bool) -> SimpleNamespace:
    return SimpleNamespace(id=Ticket.id, language=Ticket.language, priority=Ticket.priority,
                           effective_at=Ticket.effective_at, due_at=Ticket.due_at,
                           needs_language_match=needs_language_match)


def _ranked_before(keys: tuple, values: tuple):
    """SQL for `keys < values`, compared as tuples (first difference decides)."""
    condition = keys[-1] < values[-1]
    for key, value in zip(reversed(keys[:-1]), reversed(values[:-1]), strict=True):
        key = key if isinstance(key, ColumnElement) else literal(key)
        condition = or_(key < value, and_(key == value, condition))
    return condition


_KEY_TYPES = (Integer, Integer, Integer, UTCDateTime, Integer)
_KEY_PARAMS = tuple(bindparam(f"k{i}", type_=kind()) for i, kind in enumerate(_KEY_TYPES))
_SAME_QUEUE = and_(
    Ticket.branch_id == bindparam("branch_id"),
    Ticket.service_day == bindparam("service_day"),
    Ticket.service_id == bindparam("service_id"),
    Ticket.status == TicketStatus.WAITING.value,
)
# Eligible at the reference counter: not transferred to another one.
_ELIGIBLE = or_(Ticket.target_counter_id.is_(None), Ticket.target_counter_id == bindparam("counter_id"))


def _ahead(language_match: bool):
    counter = SimpleNamespace(languages=_StatementLanguages() if language_match else ())
    keys = policy.rank_key(_columns(language_match), counter, _StatementTime(), _SqlTerms)
    return select(func.count()).where(_SAME_QUEUE, _ELIGIBLE, _ranked_before(keys, _KEY_PARAMS))


AHEAD = _ahead(language_match=False)
AHEAD_BY_LANGUAGE = _ahead(language_match=True)
COUNTERS_ON_DUTY = (
    select(Counter.id, Counter.state, Counter.languages)
    .join(counter_services, counter_services.c.counter_id == Counter.id)
    .where(counter_services.c.service_id == bindparam("service_id"))
)
WAITING = select(func.count()).where(_SAME_QUEUE)
RECENT_DURATIONS = (
    select(Ticket.started_at, Ticket.finished_at)
    .where(
        Ticket.branch_id == bindparam("branch_id"),
        Ticket.service_id == bindparam("service_id"),
        Ticket.status == TicketStatus.DONE.value,
        Ticket.started_at.is_not(None),
    )
    .order_by(Ticket.finished_at.desc())
    .limit(RECENT_SERVICES)
)
OPEN_COUNTERS = (
    select(func.count())
    .select_from(Counter)
    .join(counter_services, counter_services.c.counter_id == Counter.id)
    .where(counter_services.c.service_id == bindparam("service_id"), Counter.state == CounterState.OPEN.value)
)
# Paused counters are staffed: the service is still running, someone is just away for a moment.
STAFFED_COUNTERS = (
    select(func.count())
    .select_from(Counter)
    .join(counter_services, counter_services.c.counter_id == Counter.id)
    .where(counter_services.c.service_id == bindparam("service_id"),
           Counter.state.in_([CounterState.OPEN.value, CounterState.PAUSED.value]))
)


def people_ahead(session: Session, place: Place, now: datetime) -> int:
    """Waiting tickets of the same queue that its reference counter would call before this one."""
    ticket = place.ticket
    connection = session.connection()
    on_duty = [policy.CounterOnDuty(id_, state == CounterState.OPEN.value, frozenset(languages or ()))
               for id_, state, languages in connection.execute(COUNTERS_ON_DUTY, {"service_id": ticket.service_id})]
    counter = policy.reference_counter(ticket, on_duty)
    params = {"branch_id": place.branch_id, "service_day": place.service_day, "service_id": ticket.service_id,
              "counter_id": counter.id, "due_limit": now + policy.APPOINTMENT_LEAD}
    params |= {f"k{i}": value for i, value in enumerate(policy.rank_key(ticket, counter, now))}
    if ticket.needs_language_match and counter.languages:
        return connection.execute(AHEAD_BY_LANGUAGE, params | {"languages": sorted(counter.languages)}).scalar_one()
    return connection.execute(AHEAD, params).scalar_one()


def waiting_count(session: Session, branch_id: int, service_id: int, day: date) -> int:
    params = {"branch_id": branch_id, "service_id": service_id, "service_day": day}
    return session.connection().execute(WAITING, params).scalar_one()


def average_service_minutes(session: Session, branch_id: int, service_id: int, expected_minutes: int) -> float:
    """Minutes one visitor of this service takes at a counter, from its recent service times."""
    rows = session.connection().execute(RECENT_DURATIONS, {"branch_id": branch_id, "service_id": service_id})
    return service_minutes_estimate([(end - start).total_seconds() / 60 for start, end in rows],
                                    expected_minutes)


def service_minutes_estimate(recent: list[float], expected_minutes: float) -> float:
    """The median of recent service times, pulled towards the configured expected duration (worth
    PRIOR_SAMPLES samples) and never below FLOOR_SHARE of it. The median ignores one very long
    service; the prior and the floor keep a run of very short ones from collapsing the estimate."""
    expected = float(expected_minutes)
    if not recent:
        return expected
    n = len(recent)
    blended = (n * statistics.median(recent) + PRIOR_SAMPLES * expected) / (n + PRIOR_SAMPLES)
    return max(blended, FLOOR_SHARE * expected, 0.5)


def open_counters(session: Session, service_id: int) -> int:
    return session.connection().execute(OPEN_COUNTERS, {"service_id": service_id}).scalar_one()


def staffed_counters(session: Session, service_id: int) -> int:
    return session.connection().execute(STAFFED_COUNTERS, {"service_id": service_id}).scalar_one()


def estimated_wait_minutes(session: Session, branch_id: int, service_id: int, expected_minutes: int,
                           ahead: int) -> int | None:
    """Minutes until a visitor with `ahead` people before them is called; None if no counter is open."""
    counters = open_counters(session, service_id)
    if counters == 0:
        return None
    average = average_service_minutes(session, branch_id, service_id, expected_minutes)
    return math.ceil(ahead * average / counters)
