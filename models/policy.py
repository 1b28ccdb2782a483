"""The "call next" policy: which waiting ticket a counter gets. Pure functions, no database.

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

from collections.abc import Iterable
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
    id: int
    service_ids: frozenset[int]
    languages: frozenset[str] = frozenset()


def is_due(due_at: datetime | None, now: datetime) -> bool:
    return due_at is not None and due_at <= now + APPOINTMENT_LEAD


def is_eligible(ticket: Candidate, counter: CounterContext) -> bool:
    return ticket.service_id in counter.service_ids and ticket.target_counter_id in (None, counter.id)


def speaks_language(ticket: Candidate, counter: CounterContext) -> bool:
    if not ticket.needs_language_match or not counter.languages:
        return True
    return ticket.language in counter.languages


def rank_key(ticket: Candidate, counter: CounterContext, now: datetime) -> tuple:
    mismatch = not speaks_language(ticket, counter)
    if is_due(ticket.due_at, now):
        return (mismatch, 0, 0, ticket.due_at, ticket.id)
    return (mismatch, 1, -ticket.priority, ticket.effective_at, ticket.id)


def rank(candidates: Iterable[Candidate], counter: CounterContext, now: datetime) -> list[Candidate]:
    """Eligible tickets, best first; the engine takes the first one still waiting."""
    eligible = (t for t in candidates if is_eligible(t, counter))
    return sorted(eligible, key=lambda t: rank_key(t, counter, now))


def choose_next(candidates: Iterable[Candidate], counter: CounterContext, now: datetime) -> Candidate | None:
    ranked = rank(candidates, counter, now)
    return ranked[0] if ranked else None
