"""The queue engine against a real database: numbering, days, transfers, estimates, events."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from models import Event, InvalidInput, NotFound, Ticket

from ..factories import build_world


@pytest.fixture
def db(any_db):
    """Every engine test runs on SQLite and on PostgreSQL."""
    return any_db


def test_numbers_count_per_service_and_format_with_prefix(queue):
    labels = [queue.issue_ticket("b1", s, "cs").number
              for s in ("assistance", "assistance", "residence", "assistance", "residence")]
    assert labels == ["A-001", "A-002", "R-001", "A-003", "R-002"]


def test_numbers_restart_on_the_branch_local_day(db, world, clock):
    queue = db.queue(clock)
    # 22:30 UTC on 23 Nov is already 24 Nov in Prague (UTC+1 in winter).
    clock.now = datetime(2026, 11, 23, 22, 0, tzinfo=timezone.utc)
    assert queue.issue_ticket("b1", "assistance", "cs").number == "A-001"
    assert queue.issue_ticket("b1", "assistance", "cs").number == "A-002"
    clock.now = datetime(2026, 11, 23, 22, 59, tzinfo=timezone.utc)
    assert queue.issue_ticket("b1", "assistance", "cs").number == "A-003"
    clock.now = datetime(2026, 11, 23, 23, 0, tzinfo=timezone.utc)  # midnight in Prague
    fresh = queue.issue_ticket("b1", "assistance", "cs")
    assert fresh.number == "A-001"
    with db.reader() as session:
        days = session.execute(select(Ticket.service_day).order_by(Ticket.id)).scalars().all()
    assert [d.isoformat() for d in days] == ["2026-11-23"] * 3 + ["2026-11-24"]


def test_yesterdays_waiting_tickets_are_not_called_today(queue, world, clock):
    counter = world.counters["desk-a"]
    queue.open_counter(counter)
    queue.issue_ticket("b1", "assistance", "cs")
    clock.advance(days=1)
    assert queue.call_next(counter) is None
    today = queue.issue_ticket("b1", "assistance", "cs")
    assert queue.call_next(counter).id == today.id


def test_branches_number_independently(db, world, clock):
    build_world(db.writer, code="b2")
    queue = db.queue(clock)
    assert queue.issue_ticket("b1", "assistance", "cs").number == "A-001"
    assert queue.issue_ticket("b2", "assistance", "cs").number == "A-001"


def test_unknown_codes_and_languages_are_domain_errors(queue):
    with pytest.raises(NotFound, match="unknown branch 'nope'"):
        queue.issue_ticket("nope", "assistance", "cs")
    with pytest.raises(NotFound, match="has no service 'legal'"):
        queue.issue_ticket("b1", "legal", "cs")
    with pytest.raises(InvalidInput, match="language 'fr' is not offered"):
        queue.issue_ticket("b1", "assistance", "fr")


def test_call_next_follows_issue_order_across_the_counters_services(queue, world, clock):
    counter = world.counters["desk-ar"]
    queue.open_counter(counter)
    r1 = queue.issue_ticket("b1", "residence", "cs")
    clock.advance(minutes=1)
    a1 = queue.issue_ticket("b1", "assistance", "cs")
    clock.advance(minutes=1)
    r2 = queue.issue_ticket("b1", "residence", "cs")
    called = []
    for _ in range(3):
        ticket = queue.call_next(counter)
        called.append(ticket.number)
        queue.start(ticket.id)
        queue.finish(ticket.id)
    assert called == [r1.number, a1.number, r2.number]
    assert queue.call_next(counter) is None


def test_priority_ticket_from_staff_goes_first(queue, world, clock):
    counter = world.counters["desk-a"]
    queue.open_counter(counter)
    queue.issue_ticket("b1", "assistance", "cs")
    clock.advance(minutes=5)
    urgent = queue.issue_ticket("b1", "assistance", "cs", priority=1)
    assert urgent.position == 1 and urgent.people_ahead == 0
    assert queue.call_next(counter).id == urgent.id


def test_transfer_keeps_the_place_in_time(queue, world, clock):
    """A client sent from assistance to residence goes before residence tickets issued after them."""
    desk_a, desk_r = world.counters["desk-a"], world.counters["desk-r"]
    queue.open_counter(desk_a)
    queue.open_counter(desk_r)
    moved = queue.issue_ticket("b1", "assistance", "cs")          # 08:30
    clock.advance(minutes=10)
    later_r = queue.issue_ticket("b1", "residence", "cs")         # 08:40
    clock.advance(minutes=10)
    queue.call_next(desk_a)
    queue.start(moved.id)
    clock.advance(minutes=5)
    transferred = queue.transfer(moved.id, "residence")
    assert transferred.status == "waiting" and transferred.service == "residence"
    assert transferred.number == "A-001"                           # the visitor keeps their paper ticket
    assert transferred.position == 1 and transferred.people_ahead == 0
    assert queue.ticket(later_r.id).people_ahead == 1
    assert queue.call_next(desk_r).id == moved.id


def test_transfer_to_a_specific_counter(queue, world):
    desk_ar, desk_r = world.counters["desk-ar"], world.counters["desk-r"]
    desk_a = world.counters["desk-a"]
    for counter in (desk_a, desk_ar, desk_r):
        queue.open_counter(counter)
    ticket = queue.issue_ticket("b1", "assistance", "cs")
    queue.call_next(desk_a)
    queue.transfer(ticket.id, "residence", counter_id=desk_r)
    assert queue.call_next(desk_ar) is None    # serves residence, but the ticket is meant for desk-r
    assert queue.call_next(desk_r).id == ticket.id


def test_transfer_refuses_a_counter_that_does_not_serve_the_service(queue, world):
    desk_a = world.counters["desk-a"]
    queue.open_counter(desk_a)
    ticket = queue.issue_ticket("b1", "assistance", "cs")
    queue.call_next(desk_a)
    with pytest.raises(InvalidInput, match="does not serve 'interpreting'"):
        queue.transfer(ticket.id, "interpreting", counter_id=world.counters["desk-r"])
    with pytest.raises(NotFound):
        queue.transfer(ticket.id, "legal")
    assert queue.ticket(ticket.id).status == "called"   # nothing changed


def test_interpreter_is_called_to_clients_in_their_languages(queue, world, clock):
    interp = world.counters["interp"]
    queue.open_counter(interp, languages=["vi"])
    queue.issue_ticket("b1", "interpreting", "mn")
    clock.advance(minutes=1)
    vi = queue.issue_ticket("b1", "interpreting", "vi")
    assert queue.call_next(interp).id == vi.id


def test_estimated_wait_uses_the_configured_duration_until_enough_services_are_done(queue, world):
    desk_a = world.counters["desk-a"]
    assert queue.issue_ticket("b1", "assistance", "cs").estimated_wait_minutes is None  # no counter open
    queue.open_counter(desk_a)
    second = queue.issue_ticket("b1", "assistance", "cs")
    assert (second.people_ahead, second.estimated_wait_minutes) == (1, 10)  # expected_minutes = 10
    third = queue.issue_ticket("b1", "assistance", "cs")
    assert (third.people_ahead, third.estimated_wait_minutes) == (2, 20)
    # What each visitor was told is kept with the ticket, for the statistics of estimates.
    with queue.read() as session:
        told = [session.get(Ticket, t.id).estimated_wait_minutes for t in (second, third)]
    assert told == [10, 20]


def test_estimated_wait_learns_recent_service_times_and_counts_open_counters(queue, world, clock):
    desk_a, desk_ar = world.counters["desk-a"], world.counters["desk-ar"]
    queue.open_counter(desk_a)
    for _ in range(3):  # three 4-minute services
        ticket = queue.issue_ticket("b1", "assistance", "cs")
        queue.call_next(desk_a)
        queue.start(ticket.id)
        clock.advance(minutes=4)
        queue.finish(ticket.id)
    for _ in range(4):
        last = queue.issue_ticket("b1", "assistance", "cs")
    # 3 samples of 4 min pulled towards the expected 10 (worth 5 samples): 7.75 min a visitor
    assert (last.people_ahead, last.estimated_wait_minutes) == (3, 24)
    queue.open_counter(desk_ar)                   # a second counter serves assistance
    assert queue.ticket(last.id).estimated_wait_minutes == 12


def test_every_change_writes_one_event_with_gap_free_branch_sequence(db, queue, world):
    counter = world.counters["desk-a"]
    queue.open_counter(counter)
    ticket = queue.issue_ticket("b1", "assistance", "cs")
    queue.call_next(counter)
    queue.recall(ticket.id)
    queue.start(ticket.id)
    queue.finish(ticket.id, topics=["housing", "work"])
    with db.reader() as session:
        events = session.execute(select(Event).order_by(Event.seq)).scalars().all()
    assert [e.type for e in events] == ["counter.opened", "ticket.issued", "ticket.called",
                                        "ticket.recalled", "ticket.started", "ticket.finished"]
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[-1].data["topics"] == ["housing", "work"]


def test_finish_rejects_unknown_topics(queue, world):
    counter = world.counters["desk-a"]
    queue.open_counter(counter)
    ticket = queue.issue_ticket("b1", "assistance", "cs")
    queue.call_next(counter)
    queue.start(ticket.id)
    with pytest.raises(InvalidInput, match="unknown topic"):
        queue.finish(ticket.id, topics=["gossip"])


def test_events_are_published_only_after_commit(db, queue, world):
    seen = []

    def subscriber(event):
        # The change must already be visible to another session when the subscriber runs.
        with db.reader() as session:
            visible = session.execute(select(Ticket).where(Ticket.token == event.ticket["token"])).scalar_one()
        seen.append((event.type, event.seq, visible.label))

    queue.bus.subscribe(subscriber)
    ticket = queue.issue_ticket("b1", "assistance", "cs")
    assert seen == [("ticket.issued", 1, ticket.number)]


def test_a_failing_change_publishes_nothing_and_a_failing_subscriber_breaks_nothing(queue, world):
    seen = []
    queue.bus.subscribe(lambda event: seen.append(event.type))
    queue.bus.subscribe(lambda event: 1 / 0)
    with pytest.raises(NotFound):
        queue.issue_ticket("b1", "nope", "cs")
    assert seen == []
    assert queue.issue_ticket("b1", "assistance", "cs").number == "A-001"
    assert seen == ["ticket.issued"]


def test_published_events_carry_no_personal_data(queue, world):
    seen = []
    queue.bus.subscribe(seen.append)
    queue.issue_ticket("b1", "assistance", "vi")
    assert set(seen[0].ticket) == {"id", "number", "token", "status", "service", "service_names",
                                   "language", "appointment"}


def test_snapshot_shows_current_and_recent_calls_and_queues(queue, world, clock):
    desk_a = world.counters["desk-a"]
    queue.open_counter(desk_a)
    first = queue.issue_ticket("b1", "assistance", "cs")
    queue.issue_ticket("b1", "assistance", "cs")
    queue.call_next(desk_a)
    snap = queue.snapshot("b1")
    assert snap["seq"] == 4
    assert [(c["number"], c["counter"]["name"]) for c in snap["current"]] == [(first.number, "desk-a")]
    assert [c["number"] for c in snap["recent"]] == [first.number]
    by_code = {s["code"]: s for s in snap["services"]}
    assert by_code["assistance"]["waiting"] == 1 and by_code["assistance"]["open_counters"] == 1
    assert by_code["residence"]["estimated_wait_minutes"] is None
    with pytest.raises(NotFound):
        queue.snapshot("nope")


def test_snapshot_says_when_a_service_is_not_offered(db, queue, world, clock):
    from models import Branch
    with db.writer() as session, session.begin():
        branch = session.execute(select(Branch)).scalar_one()
        branch.opening_hours = {"mon": [["08:00", "16:00"]]}
    clock.now = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)   # Monday 09:00 in Prague
    services = {s["code"]: s for s in queue.snapshot("b1")["services"]}
    assert services["assistance"]["unavailable_reason"] == "no_counter"
    queue.open_counter(world.counters["desk-a"])
    queue.pause_counter(world.counters["desk-a"])
    services = {s["code"]: s for s in queue.snapshot("b1")["services"]}
    assert services["assistance"]["available"] is True          # a paused counter is still staffed
    assert services["residence"]["available"] is False
    clock.now = datetime(2026, 11, 23, 16, 0, tzinfo=timezone.utc)  # 17:00, closed
    services = {s["code"]: s for s in queue.snapshot("b1")["services"]}
    assert services["assistance"]["unavailable_reason"] == "closed"
    assert services["assistance"]["opens_at"] == "2026-11-30T08:00:00+01:00"
