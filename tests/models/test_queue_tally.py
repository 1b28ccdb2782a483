"""The kept tally of plain walk-ins (models/tally.py) follows every way a ticket enters or leaves a
queue, in both databases; the migration fills it from the tickets already waiting; positions and
waiting counts read it instead of stepping over the queue."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import delete, insert, select, text, update

from models import Base, Counter, QueueEngine, QueueTally, Service, Ticket, TicketSequence
from models.db import make_engine, make_sessions
from models.estimates import _ahead
from models.migrate import upgrade

from ..conftest import Clock
from ..factories import build_world

TODAY = date(2026, 11, 23)   # the Clock's day in Prague
NOW = datetime(2026, 11, 23, 8, 30, tzinfo=timezone.utc)


@pytest.fixture
def setup(any_db_url):
    engine = make_engine(any_db_url)
    Base.metadata.create_all(engine)
    writer, reader = make_sessions(engine)
    world = build_world(writer)
    yield QueueEngine(writer, reader, clock=Clock()), world, writer
    engine.dispose()


def kept(writer) -> dict[tuple[str, int, str], int]:
    """{(service, priority, language): waiting} of today's non-empty tally rows."""
    with writer() as session:
        rows = session.execute(text(
            "SELECT s.code, t.priority, t.language, t.waiting FROM queue_tally t JOIN service s ON s.id = t.service_id "
            "WHERE t.waiting <> 0")).all()
    return {(code, priority, language): waiting for code, priority, language, waiting in rows}


def counted(writer) -> dict[tuple[str, int, str], int]:
    """The same, counted from the tickets: what the tally must always equal."""
    with writer() as session:
        rows = session.execute(text(
            "SELECT s.code, t.priority, t.language, count(*) FROM ticket t JOIN service s ON s.id = t.service_id "
            "WHERE t.status = 'waiting' AND t.due_at IS NULL AND t.target_counter_id IS NULL "
            "GROUP BY s.code, t.priority, t.language")).all()
    return {(code, priority, language): n for code, priority, language, n in rows}


def test_every_way_in_and_out_of_a_queue_moves_the_tally(setup):
    queue, world, writer = setup
    a1 = queue.issue_ticket("b1", "assistance", "cs")
    queue.issue_ticket("b1", "assistance", "cs")
    ru = queue.issue_ticket("b1", "assistance", "ru")
    r1 = queue.issue_ticket("b1", "residence", "cs")
    queue.issue_ticket("b1", "assistance", "vi", priority=1)
    assert kept(writer) == {("assistance", 0, "cs"): 2, ("assistance", 0, "ru"): 1, ("residence", 0, "cs"): 1,
                            ("assistance", 1, "vi"): 1}

    queue.open_counter(world.counters["desk-a"])
    called = queue.call_next(world.counters["desk-a"])
    assert called.number == "A-004"                                          # priority first
    queue.no_show(called.id)
    queue.cancel(ru.id)                                                      # left the queue waiting
    assert kept(writer) == {("assistance", 0, "cs"): 2, ("residence", 0, "cs"): 1}

    queue.open_counter(world.counters["desk-r"])
    assert queue.call_next(world.counters["desk-r"]).id == r1.id
    # Sent on to one counter: waiting again, but not a plain walk-in any more.
    queue.transfer(r1.id, "assistance", counter_id=world.counters["desk-ar"])
    assert kept(writer) == {("assistance", 0, "cs"): 2}
    assert queue.call_next(world.counters["desk-a"]).id == a1.id
    queue.transfer(a1.id, "residence")                                       # another queue, plain
    assert kept(writer) == {("assistance", 0, "cs"): 1, ("residence", 0, "cs"): 1}

    with writer() as session, session.begin():
        # A deleted counter releases the tickets sent to it (ON DELETE SET NULL): plain again.
        session.execute(text("DELETE FROM counter_service WHERE counter_id = :id"), {"id": world.counters["desk-ar"]})
        session.execute(delete(Counter).where(Counter.id == world.counters["desk-ar"]))
    assert kept(writer) == {("assistance", 0, "cs"): 2, ("residence", 0, "cs"): 1}
    assert kept(writer) == counted(writer)

    with writer() as session, session.begin():
        session.execute(delete(Ticket))
    assert kept(writer) == {}


def test_positions_and_counts_read_the_tally_not_the_queue(setup, any_db_url):
    """At 300 waiting the new ticket's position is right, and the statement never steps over the queue
    (SQLite's plan: searches on the tally and the partial index only, no range over the priority)."""
    queue, world, writer = setup
    first = queue.issue_ticket("b1", "assistance", "cs")
    with writer() as session, session.begin():
        row = session.get(Ticket, first.id)
        base = {c.name: getattr(row, c.name) for c in Ticket.__table__.columns if c.name not in ("id", "token", "number")}
        session.execute(insert(Ticket), [base | {"number": n, "token": f"bulk-{n}"} for n in range(2, 301)])
        session.execute(update(TicketSequence).values(last_number=300))
    assert kept(writer) == {("assistance", 0, "cs"): 300}
    latest = queue.issue_ticket("b1", "assistance", "cs")
    assert (latest.position, latest.people_ahead) == (301, 300)
    assert queue.ticket(first.id).position == 1
    if not any_db_url.startswith("sqlite"):
        return
    statement = _ahead(False, None).statement.compile(dialect=writer.kw["bind"].dialect)
    with writer() as session:
        plan = session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + str(statement), (None,) * len(statement.positiontup)).all()
    details = [row[-1] for row in plan]
    assert not any(d.startswith("SCAN ticket") for d in details)
    assert sum("ix_ticket_special" in d for d in details) == 2
    assert sum("queue_tally" in d for d in details) == 2
    # The one search of the whole index starts at the ticket's own time: the walk-ins behind it.
    assert any("ix_ticket_queue" in d and "effective_at>?" in d for d in details)


def test_the_migration_counts_the_tickets_already_waiting(any_db_url):
    url = any_db_url
    upgrade(url, "perf1")
    engine = make_engine(url)
    writer, _ = make_sessions(engine)
    build_world(writer, code="b2")     # "b2": the migrations seeded the topics that "b1" would add
    with writer() as session, session.begin():   # as the code before perf2 left them (it cannot issue)
        service = session.scalar(select(Service).where(Service.code == "assistance"))
        session.execute(insert(Ticket), [
            {"branch_id": service.branch_id, "service_id": service.id, "issued_service_id": service.id,
             "service_day": TODAY, "number": n, "label": f"A-{n:03d}", "language": language, "status": status,
             "priority": 0, "token": f"t{n}", "issued_at": NOW, "effective_at": NOW, "call_count": 0}
            for n, (language, status) in enumerate(
                [("cs", "waiting"), ("cs", "waiting"), ("ru", "waiting"), ("ru", "done")], start=1)])
        session.execute(insert(TicketSequence).values(branch_id=service.branch_id, service_id=service.id,
                                                      service_day=TODAY, last_number=4))
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    writer, _ = make_sessions(engine)
    assert kept(writer) == {("assistance", 0, "cs"): 2, ("assistance", 0, "ru"): 1}
    QueueEngine(writer, clock=Clock()).issue_ticket("b2", "assistance", "ru")    # the triggers work on
    assert kept(writer) == {("assistance", 0, "cs"): 2, ("assistance", 0, "ru"): 2}
    with writer() as session:
        assert session.scalar(select(QueueTally.service_day).limit(1)) == TODAY
    engine.dispose()


def test_the_triggers_survive_every_migration(any_db_url):
    """A later migration that rebuilds the ticket table (SQLite batch mode) would drop them silently."""
    upgrade(any_db_url)
    engine = make_engine(any_db_url)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            names = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars()
            assert sorted(names) == ["ticket_tally_delete", "ticket_tally_enter", "ticket_tally_insert",
                                     "ticket_tally_leave"]
        else:
            names = connection.exec_driver_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").scalars()
            assert sorted(names) == ["ticket_tally"]
    engine.dispose()
