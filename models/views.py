"""Plain, detached views of tickets and counters that the engine returns and publishes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .org import Counter
from .queue import Ticket


@dataclass(frozen=True)
class TicketView:
    id: int
    number: str
    token: str
    status: str
    branch: str
    service: str
    service_names: dict[str, str]
    language: str
    priority: int
    issued_at: datetime
    called_at: datetime | None
    counter: dict | None
    position: int | None
    people_ahead: int | None
    estimated_wait_minutes: int | None
    appointment: bool
    # The appointment's start, for a ticket issued by checking one in.
    appointment_at: datetime | None = None
    # The branch's time zone: times on the ticket are the branch's local times.
    timezone: str = "Europe/Prague"

def counter_ref(counter: Counter | None) -> dict | None:
    """A counter as events and snapshots carry it: visitors are sent to its number (and its name in
    their language, where it has one)."""
    if counter is None:
        return None
    return {"id": counter.id, "name": counter.name, "number": counter.number, "names": dict(counter.names or {})}


def ticket_view(ticket: Ticket, *, people_ahead: int | None = None, wait: int | None = None) -> TicketView:
    return TicketView(
        id=ticket.id,
        number=ticket.label,
        token=ticket.token,
        status=ticket.status,
        branch=ticket.branch.code,
        service=ticket.service.code,
        service_names=dict(ticket.service.names),
        language=ticket.language,
        priority=ticket.priority,
        issued_at=ticket.issued_at,
        called_at=ticket.called_at,
        counter=counter_ref(ticket.counter) if ticket.status in ("called", "serving") else None,
        position=None if people_ahead is None else people_ahead + 1,
        people_ahead=people_ahead,
        estimated_wait_minutes=wait,
        appointment=ticket.appointment_id is not None,
        appointment_at=ticket.due_at if ticket.appointment_id is not None else None,
        timezone=ticket.branch.timezone,
    )


def event_ticket(ticket: Ticket) -> dict:
    """The ticket as carried in events: number, service, language, status, counter; the token
    only so that the realtime layer can route to the phone's room (never shown on displays)."""
    return {
        "id": ticket.id,
        "number": ticket.label,
        "token": ticket.token,
        "status": ticket.status,
        "service": ticket.service.code,
        "service_names": dict(ticket.service.names),
        "language": ticket.language,
        "appointment": ticket.appointment_id is not None,
    }
