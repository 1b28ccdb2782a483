"""The order of the queue: which waiting ticket a counter calls next, and so where a visitor stands.

One rule, written once in `rank_key`. Call-next ranks candidates by it; positions count the
tickets whose key is smaller than a ticket's own (models/estimates.py, one index range per way of
being smaller), so the position a visitor is shown is the order they are called in
(tests/models/test_queue_order.py checks this on random queues).

Order, first rule first:
1. Language: for services that need a language match (interpreting), a counter whose staff
   declared languages gets tickets in those languages before any other.
2. Checked-in appointments that are due now, earliest appointment first.
3. Higher priority (service priority + the ticket's own, e.g. a vulnerable client).
4. Earliest effective time: when the ticket was issued; a transfer keeps it.
5. Ticket id, so that equal tickets are still served in a stable order.
Only tickets of the counter's services, and not transferred to another counter, are eligible.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# An appointment counts as due this long before its start (the visitor is already here).
APPOINTMENT_LEAD = timedelta(minutes=5)


@dataclass(frozen=True)
class Candidate:
    id: int
    service_id: int
    language: str
    priority: int
    effective_at: datetime
    due_at: datetime | None = None
    target_counter_id: int | None = None
    needs_language_match: bool = False


@dataclass(frozen=True)
class CounterContext:
    id: int | None
    service_ids: frozenset[int]
    languages: frozenset[str] = frozenset()


def rank_key(ticket: Candidate, counter: CounterContext, now: datetime) -> tuple:
    """The ticket's place in the counter's order as a tuple: smaller is called first."""
    due = is_due(ticket.due_at, now)
    mismatch = 0 if speaks_language(ticket, counter) else 1
    return (mismatch,
            0 if due else 1,
            0 if due else -ticket.priority,
            ticket.due_at if due else ticket.effective_at,
            ticket.id)


def is_due(due_at: datetime | None, now: datetime) -> bool:
    return due_at is not None and due_at <= now + APPOINTMENT_LEAD


def is_eligible(ticket: Candidate, counter: CounterContext) -> bool:
    return ticket.service_id in counter.service_ids and ticket.target_counter_id in (None, counter.id)


def speaks_language(ticket: Candidate, counter: CounterContext) -> bool:
    if not ticket.needs_language_match or not counter.languages:
        return True
    return ticket.language in counter.languages


def rank(candidates: Iterable[Candidate], counter: CounterContext, now: datetime) -> list[Candidate]:
    """Eligible tickets, best first; the engine takes the first one still waiting."""
    eligible = (t for t in candidates if is_eligible(t, counter))
    return sorted(eligible, key=lambda t: rank_key(t, counter, now))


@dataclass(frozen=True)
class CounterOnDuty:
    """A counter serving the ticket's service, as positions need it."""

    id: int
    open: bool
    languages: frozenset[str]


def reference_counter(ticket: Candidate, counters: Sequence[CounterOnDuty]) -> CounterContext:
    """The counter whose order a visitor's position is counted in.

    A ticket transferred to one counter waits for that counter only. Otherwise the first open counter
    that speaks the visitor's language (when the service matches languages), else the first open one;
    with none open, a counter without language preference."""
    services = frozenset({ticket.service_id})
    if ticket.target_counter_id is not None:
        target = next((c for c in counters if c.id == ticket.target_counter_id), None)
        return CounterContext(ticket.target_counter_id, services, target.languages if target else frozenset())
    open_ = sorted((c for c in counters if c.open), key=lambda c: c.id)
    if ticket.needs_language_match:
        speaking = [c for c in open_ if not c.languages or ticket.language in c.languages]
        open_ = speaking or open_
    if not open_:
        return CounterContext(None, services)
    return CounterContext(open_[0].id, services, open_[0].languages)
