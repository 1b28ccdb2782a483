"""The position a visitor is shown is the order they are called in (one rule, models/policy.py).

Property: for random queues (services, languages, priorities, appointments due and not due,
transfers to a counter) and a random counter serving alone, repeated call-next at that counter
calls each service's tickets in the order of the positions shown before the first call."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, update

from models import Base, Counter, QueueEngine
from models.db import make_engine, make_sessions
from models.queue import Event, Ticket

from ..conftest import Clock
from ..factories import build_world

NOW = datetime(2026, 11, 23, 8, 30, tzinfo=timezone.utc)  # the Clock's start: 09:30 in Prague
TODAY = date(2026, 11, 23)
SERVICES = {"assistance": ("desk-a", "desk-ar"), "residence": ("desk-ar", "desk-r"),
            "interpreting": ("interp",)}
COUNTER_SERVICES = {"desk-a": {"assistance"}, "desk-ar": {"assistance", "residence"},
                    "interp": {"interpreting"}, "desk-r": {"residence"}}


@st.composite
def waiting_ticket(draw):
    service = draw(st.sampled_from(sorted(SERVICES)))
    return {
        "service": service,
        "language": draw(st.sampled_from(["cs", "ru", "vi", "mn"])),
        "priority": draw(st.integers(0, 2)),
        "minutes_ago": draw(st.integers(0, 40)),
        # An appointment checked in: due (start ≤ now + 5 min) or not yet due.
        "due_in": draw(st.one_of(st.none(), st.integers(-30, 40))),
        "target": draw(st.one_of(st.none(), st.sampled_from(SERVICES[service]))),
    }


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world_db(request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'okenko.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    writer, reader = make_sessions(engine)
    world = build_world(writer)
    yield writer, reader, world
    engine.dispose()


def _fill(writer, world, tickets: list[dict], calling: str, languages: list[str]) -> list[int]:
    with writer() as session, session.begin():
        session.execute(delete(Event))
        session.execute(delete(Ticket))
        session.execute(update(Counter).values(state="closed", languages=[], staff_id=None))
        session.execute(update(Counter).where(Counter.id == world.counters[calling])
                        .values(state="open", languages=languages))
        services = {s.code: s.id for s in session.get(Counter, world.counters["desk-ar"]).branch.services}
        ids = []
        for number, spec in enumerate(tickets, start=1):
            ticket = Ticket(
                branch_id=session.get(Counter, world.counters[calling]).branch_id,
                service_id=services[spec["service"]], issued_service_id=services[spec["service"]],
                service_day=TODAY, number=number, label=f"T{number:03d}", language=spec["language"],
                status="waiting", priority=spec["priority"], token=f"token-{number}",
                issued_at=NOW - timedelta(minutes=spec["minutes_ago"]),
                effective_at=NOW - timedelta(minutes=spec["minutes_ago"]),
                due_at=None if spec["due_in"] is None else NOW + timedelta(minutes=spec["due_in"]),
                target_counter_id=None if spec["target"] is None else world.counters[spec["target"]],
            )
            session.add(ticket)
            session.flush()
            ids.append(ticket.id)
    return ids


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tickets=st.lists(waiting_ticket(), min_size=1, max_size=12),
       calling=st.sampled_from(sorted(COUNTER_SERVICES)),
       languages=st.lists(st.sampled_from(["ru", "vi", "mn"]), unique=True, max_size=2))
def test_positions_shown_are_the_order_call_next_calls(world_db, tickets, calling, languages):
    writer, reader, world = world_db
    queue = QueueEngine(writer, reader, clock=Clock(NOW))
    ids = _fill(writer, world, tickets, calling, languages)
    counter_id = world.counters[calling]
    callable_here = {ticket_id for ticket_id, spec in zip(ids, tickets, strict=True)
                     if spec["service"] in COUNTER_SERVICES[calling] and spec["target"] in (None, calling)}
    shown = {ticket_id: queue.ticket(ticket_id).position for ticket_id in callable_here}

    called_per_service: dict[str, int] = {}
    called = set()
    while (ticket := queue.call_next(counter_id)) is not None:
        called_per_service[ticket.service] = called_per_service.get(ticket.service, 0) + 1
        assert shown[ticket.id] == called_per_service[ticket.service], (ticket.number, shown)
        called.add(ticket.id)
        queue.no_show(ticket.id)
    assert called == callable_here
