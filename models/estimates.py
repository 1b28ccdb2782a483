"""Position in queue and estimated wait: positions count by the call-next rule (policy.rank_key).

These run on every ticket issued and every status a phone asks for, so the statements are built
once with bound parameters (building SQLAlchemy expressions per call cost more than running them),
and positions are counts over ranges of the queue's indexes, whose cost grows little with the queue.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import ColumnElement, Integer, and_, bindparam, func, or_, select
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


_SAME_QUEUE = and_(
    Ticket.branch_id == bindparam("branch_id"),
    Ticket.service_day == bindparam("service_day"),
    Ticket.service_id == bindparam("service_id"),
    Ticket.status == TicketStatus.WAITING.value,
)
# Eligible at the reference counter: not transferred to another one.
_ELIGIBLE = or_(Ticket.target_counter_id.is_(None), Ticket.target_counter_id == bindparam("counter_id"))
_DUE_LIMIT = bindparam("due_limit", type_=UTCDateTime)
_DUE = and_(Ticket.due_at.is_not(None), Ticket.due_at <= _DUE_LIMIT)
_NOT_DUE = or_(Ticket.due_at.is_(None), Ticket.due_at > _DUE_LIMIT)
_LANGUAGES = bindparam("languages", expanding=True)
_SPEAKS = Ticket.language.in_(_LANGUAGES)
_DOES_NOT_SPEAK = Ticket.language.not_in(_LANGUAGES)
_TIME, _ID = bindparam("time", type_=UTCDateTime), bindparam("id", type_=Integer)
_PRIORITY = bindparam("priority", type_=Integer)


def _count(*conditions) -> ColumnElement:
    return select(func.count()).where(_SAME_QUEUE, _ELIGIBLE, *conditions).scalar_subquery()


@cache
def _ahead(due: bool, mismatch: int | None):
    """Tickets ranked before one by `policy.rank_key`, as a sum of counts over ranges of the queue's
    indexes: a CASE per row (the rule written as SQL) cost 0.2 µs per waiting ticket, 2 ms at 10,000.

    The key is (language mismatch, not due, -priority, due or effective time, id), compared first
    difference first. `mismatch` is the ticket's own (None: the service matches no languages). Each
    count below is one way to be smaller, so they never overlap; tests/models/test_queue_order.py
    checks the sum against the order call-next really calls in."""
    group = () if mismatch is None else ((_SPEAKS,) if mismatch == 0 else (_DOES_NOT_SPEAK,))
    parts = [_count(_SPEAKS)] if mismatch == 1 else []   # a counter's own languages come first
    if due:  # due appointments rank by their time, then id
        parts.append(_count(*group, _DUE, or_(Ticket.due_at < _TIME, and_(Ticket.due_at == _TIME, Ticket.id < _ID))))
    else:    # every due appointment, then higher priority, then earlier, then smaller id
        parts += [_count(*group, _DUE),
                  _count(*group, _NOT_DUE, Ticket.priority > _PRIORITY),
                  _count(*group, _NOT_DUE, Ticket.priority == _PRIORITY, Ticket.effective_at < _TIME),
                  _count(*group, _NOT_DUE, Ticket.priority == _PRIORITY, Ticket.effective_at == _TIME,
                         Ticket.id < _ID)]
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return select(total)


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
    mismatch, not_due, priority, time, id_ = policy.rank_key(ticket, counter, now)
    params = {"branch_id": place.branch_id, "service_day": place.service_day, "service_id": ticket.service_id,
              "counter_id": counter.id, "due_limit": now + policy.APPOINTMENT_LEAD,
              "priority": -priority, "time": time, "id": id_}
    matching = ticket.needs_language_match and bool(counter.languages)
    if matching:
        params["languages"] = sorted(counter.languages)
    return connection.execute(_ahead(not not_due, mismatch if matching else None), params).scalar_one()


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
