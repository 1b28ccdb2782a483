"""Position in queue and estimated wait, consistent with the call-next policy.

These run on every ticket issued, so the statements are built once with bound parameters:
building SQLAlchemy expressions per call cost more than running them.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from .org import Counter, counter_services
from .policy import APPOINTMENT_LEAD, is_due
from .queue import Ticket
from .states import CounterState, TicketStatus

# Service times of this many recent finished tickets make the average.
RECENT_SERVICES = 20
# Below this many samples the service's configured expected duration is used.
MIN_SAMPLES = 3


@dataclass(frozen=True)
class Place:
    """Where a waiting ticket stands: the fields the policy orders by."""

    id: int
    branch_id: int
    service_id: int
    service_day: date
    priority: int
    effective_at: datetime
    due_at: datetime | None = None

    @classmethod
    def of(cls, ticket: Ticket) -> "Place":
        return cls(ticket.id, ticket.branch_id, ticket.service_id, ticket.service_day, ticket.priority,
                   ticket.effective_at, ticket.due_at)


_SAME_QUEUE = and_(
    Ticket.branch_id == bindparam("branch_id"),
    Ticket.service_day == bindparam("service_day"),
    Ticket.service_id == bindparam("service_id"),
    Ticket.status == TicketStatus.WAITING.value,
)
_OTHER_DUE = and_(Ticket.due_at.is_not(None), Ticket.due_at <= bindparam("due_limit"))
_EARLIER = or_(Ticket.effective_at < bindparam("effective_at"),
               and_(Ticket.effective_at == bindparam("effective_at"), Ticket.id < bindparam("id")))
AHEAD_OF_WALK_IN = select(func.count()).where(_SAME_QUEUE, or_(
    _OTHER_DUE,
    Ticket.priority > bindparam("priority"),
    and_(Ticket.priority == bindparam("priority"), _EARLIER),
))
AHEAD_OF_DUE = select(func.count()).where(_SAME_QUEUE, _OTHER_DUE, or_(
    Ticket.due_at < bindparam("due_at"),
    and_(Ticket.due_at == bindparam("due_at"), Ticket.id < bindparam("id")),
))
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
    """Waiting tickets of the same queue that the policy would call before this one."""
    params = {"branch_id": place.branch_id, "service_day": place.service_day, "service_id": place.service_id,
              "due_limit": now + APPOINTMENT_LEAD, "id": place.id}
    if is_due(place.due_at, now):
        return session.connection().execute(AHEAD_OF_DUE, params | {"due_at": place.due_at}).scalar_one()
    params |= {"priority": place.priority, "effective_at": place.effective_at}
    return session.connection().execute(AHEAD_OF_WALK_IN, params).scalar_one()


def waiting_count(session: Session, branch_id: int, service_id: int, day: date) -> int:
    params = {"branch_id": branch_id, "service_id": service_id, "service_day": day}
    return session.connection().execute(WAITING, params).scalar_one()


def average_service_minutes(session: Session, branch_id: int, service_id: int, expected_minutes: int) -> float:
    """Median of recent service times of this service in its branch, else its expected duration."""
    rows = session.connection().execute(RECENT_DURATIONS, {"branch_id": branch_id, "service_id": service_id})
    durations = [(end - start).total_seconds() / 60 for start, end in rows]
    if len(durations) < MIN_SAMPLES:
        return float(expected_minutes)
    return max(statistics.median(durations), 0.5)


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
