"""Position in queue and estimated wait: positions count by the call-next rule (policy.rank_key).

These run on every ticket issued (but one right behind another of its kind in a batch of taps,
models/engine.py) and every status a phone asks for, so the statements are built
once with bound parameters (building SQLAlchemy expressions per call cost more than running them).
The plain walk-ins ahead come from the tally the database keeps (models/tally.py), the other
tickets from short index ranges: a new ticket's position costs the same at 10 and at 10,000 waiting.
An existing ticket's costs a count of the plain walk-ins of its priority that rank after it.
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
from .driver import HotStatement
from .org import Counter, counter_services
from .queue import Ticket
from .tally import QueueTally
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
_TALLY_SPEAKS, _TALLY_DOES_NOT_SPEAK = QueueTally.language.in_(_LANGUAGES), QueueTally.language.not_in(_LANGUAGES)
_TIME, _ID = bindparam("time", type_=UTCDateTime), bindparam("id", type_=Integer)
_PRIORITY = bindparam("priority", type_=Integer)


def _count(*conditions) -> ColumnElement:
    """Eligible waiting tickets of the queue: a range of ix_ticket_queue (keep it short)."""
    return select(func.count()).where(_SAME_QUEUE, _ELIGIBLE, *conditions).scalar_subquery()


# Appointments and tickets sent to one counter: few, so counted on their own partial index.
_SPECIAL = or_(Ticket.due_at.is_not(None), Ticket.target_counter_id.is_not(None))
_PLAIN = and_(Ticket.due_at.is_(None), Ticket.target_counter_id.is_(None))


def _special(*conditions) -> ColumnElement:
    return (select(func.count()).where(_SAME_QUEUE, _ELIGIBLE, _SPECIAL, *conditions)
            # SQLite would also accept the full index; this one never steps over plain walk-ins.
            .with_hint(Ticket, "INDEXED BY ix_ticket_special", "sqlite").scalar_subquery())


_TALLY_QUEUE = and_(QueueTally.branch_id == bindparam("branch_id"),
                    QueueTally.service_day == bindparam("service_day"),
                    QueueTally.service_id == bindparam("service_id"))


def _tally(*conditions) -> ColumnElement:
    """Plain walk-ins waiting in the queue, from the kept tally (models/tally.py): no counting."""
    return select(func.coalesce(func.sum(QueueTally.waiting), 0)).where(_TALLY_QUEUE, *conditions) \
        .scalar_subquery()


@cache
def _ahead(due: bool, mismatch: int | None):
    """Tickets ranked before one by `policy.rank_key`, as a sum of disjoint parts, none of which
    steps over the plain walk-ins ahead: those are the kept tally minus the few plain walk-ins
    that rank after the ticket (none, for a ticket being issued).

    The key is (language mismatch, not due, -priority, due or effective time, id), compared first
    difference first. `mismatch` is the ticket's own (None: the service matches no languages).
    tests/models/test_queue_order.py checks the sum against the order call-next really calls in."""
    if mismatch is None:
        group, tally_group = (), ()
    elif mismatch == 0:
        group, tally_group = (_SPEAKS,), (_TALLY_SPEAKS,)
    else:
        group, tally_group = (_DOES_NOT_SPEAK,), (_TALLY_DOES_NOT_SPEAK,)
    # A counter's own languages come first.
    parts = [_tally(_TALLY_SPEAKS), _special(_SPEAKS)] if mismatch == 1 else []
    if due:  # due appointments rank by their time, then id
        parts.append(_count(*group, _DUE, or_(Ticket.due_at < _TIME, and_(Ticket.due_at == _TIME, Ticket.id < _ID))))
        return HotStatement(select(_sum(parts)))
    # The outer bound makes each a range of the index; the OR alone would step through the priority.
    earlier = and_(Ticket.effective_at <= _TIME,
                   or_(Ticket.effective_at < _TIME, and_(Ticket.effective_at == _TIME, Ticket.id < _ID)))
    later = and_(Ticket.effective_at >= _TIME,
                 or_(Ticket.effective_at > _TIME, and_(Ticket.effective_at == _TIME, Ticket.id >= _ID)))
    # Every due appointment, then higher priority, then earlier, then smaller id.
    parts += [_count(*group, _DUE),
              _tally(*tally_group, QueueTally.priority > _PRIORITY),
              _special(*group, _NOT_DUE, Ticket.priority > _PRIORITY),
              _tally(*tally_group, QueueTally.priority == _PRIORITY),
              _special(*group, _NOT_DUE, Ticket.priority == _PRIORITY, earlier)]
    return HotStatement(select(_sum(parts) - _count(*group, _PLAIN, Ticket.priority == _PRIORITY, later)))


def _sum(parts: list[ColumnElement]) -> ColumnElement:
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


COUNTERS_ON_DUTY = HotStatement(
    select(Counter.id, Counter.state, Counter.languages)
    .join(counter_services, counter_services.c.counter_id == Counter.id)
    .where(counter_services.c.service_id == bindparam("service_id"))
)
# Every waiting ticket of the queue: the tally, and the others on their partial index.
WAITING = select(
    select(func.coalesce(func.sum(QueueTally.waiting), 0)).where(_TALLY_QUEUE).scalar_subquery()
    + select(func.count()).where(_SAME_QUEUE, _SPECIAL)
    .with_hint(Ticket, "INDEXED BY ix_ticket_special", "sqlite").scalar_subquery())
RECENT_DURATIONS = HotStatement(
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
def people_ahead(session: Session, place: Place, now: datetime) -> int:
    """Waiting tickets of the same queue that its reference counter would call before this one."""
    return _people_ahead(session, place, now, _counters_on_duty(session, place.ticket.service_id))


@dataclass(frozen=True)
class Pace:
    """How fast a service's queue moves: the counters serving it, and minutes per visitor (None
    while no counter is open: then no estimate is given)."""

    on_duty: list[policy.CounterOnDuty]
    minutes_each: float | None

    def wait(self, ahead: int) -> int | None:
        """Minutes until a visitor with `ahead` people before them is called."""
        if self.minutes_each is None:
            return None
        return wait_minutes(ahead, self.minutes_each, sum(1 for counter in self.on_duty if counter.open))


def pace(session: Session, branch_id: int, service_id: int, expected_minutes: int) -> Pace:
    on_duty = _counters_on_duty(session, service_id)
    opened = any(counter.open for counter in on_duty)
    return Pace(on_duty, average_service_minutes(session, branch_id, service_id, expected_minutes) if opened else None)


def standing(session: Session, place: Place, now: datetime, expected_minutes: int,
             known_pace: Pace | None = None) -> tuple[int, int | None]:
    """(people ahead, estimated wait in minutes) of a waiting ticket. Issuing reads the pace first,
    before it takes the queue's number lock, so that the lock is held for fewer statements."""
    if known_pace is None:
        known_pace = pace(session, place.branch_id, place.ticket.service_id, expected_minutes)
    ahead = _people_ahead(session, place, now, known_pace.on_duty)
    return ahead, known_pace.wait(ahead)


def _counters_on_duty(session: Session, service_id: int) -> list[policy.CounterOnDuty]:
    rows = COUNTERS_ON_DUTY.rows(session, service_id=service_id)
    return [policy.CounterOnDuty(id_, state == CounterState.OPEN.value, frozenset(languages or ()))
            for id_, state, languages in rows]


def _people_ahead(session: Session, place: Place, now: datetime, on_duty: list[policy.CounterOnDuty]) -> int:
    ticket = place.ticket
    counter = policy.reference_counter(ticket, on_duty)
    mismatch, not_due, priority, time, id_ = policy.rank_key(ticket, counter, now)
    params = {"branch_id": place.branch_id, "service_day": place.service_day, "service_id": ticket.service_id,
              "counter_id": counter.id, "due_limit": now + policy.APPOINTMENT_LEAD,
              "priority": -priority, "time": time, "id": id_}
    matching = ticket.needs_language_match and bool(counter.languages)
    if matching:
        params["languages"] = sorted(counter.languages)
    return _ahead(not not_due, mismatch if matching else None).scalar(session, **params)


def waiting_count(session: Session, branch_id: int, service_id: int, day: date) -> int:
    params = {"branch_id": branch_id, "service_id": service_id, "service_day": day}
    return session.connection().execute(WAITING, params).scalar_one()


def average_service_minutes(session: Session, branch_id: int, service_id: int, expected_minutes: int) -> float:
    """Minutes one visitor of this service takes at a counter, from its recent service times."""
    rows = RECENT_DURATIONS.rows(session, branch_id=branch_id, service_id=service_id)
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


def counter_states(session: Session, service_id: int) -> list[str]:
    """The states of the counters serving a service (the snapshot's open and staffed counts)."""
    return [state for _id, state, _languages in COUNTERS_ON_DUTY.rows(session, service_id=service_id)]


def estimated_wait(session: Session, branch_id: int, service_id: int, expected_minutes: int, ahead: int,
                   open_counters: int) -> int | None:
    """Minutes until a visitor with `ahead` people before them is called; None if no counter is open."""
    if open_counters == 0:
        return None
    return wait_minutes(ahead, average_service_minutes(session, branch_id, service_id, expected_minutes),
                        open_counters)


def wait_minutes(ahead: int, minutes_each: float, counters: int) -> int:
    return math.ceil(ahead * minutes_each / counters)
