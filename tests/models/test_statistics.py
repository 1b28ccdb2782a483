"""Statistics of a known day, driven through the queue engine, on SQLite and PostgreSQL: every
number, the same whether the day is folded live from its events or read from its stored aggregates."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from models import Branch, Event, InterpreterDesk, QueueEngine, Staff, StatRollup
from models.statistics import StatQuery, compute, days_to_roll_up, purge_events, roll_up

from ..conftest import Clock
from ..factories import build_world

DAY = date(2026, 11, 23)


def drive_known_day(queue: QueueEngine, clock: Clock, world) -> None:
    """08:30 UTC (09:30 in Prague): five tickets; calls, a no-show, an interpreter, a transfer,
    a cancel, finishes with topics."""
    desk_a, desk_r = world.counters["desk-a"], world.counters["desk-r"]
    anna, ivan = world.staff["anna"], world.staff["ivan"]
    with queue.transaction() as work:                     # Ivan interprets Vietnamese
        work.session.get(Staff, ivan).languages = ["vi"]
    queue.open_counter(desk_a, staff_id=anna)
    queue.open_counter(desk_r, staff_id=anna)
    t1 = queue.issue_ticket("b1", "assistance", "vi")   # told 0 min
    t2 = queue.issue_ticket("b1", "assistance", "ru")   # told 10 min
    t3 = queue.issue_ticket("b1", "residence", "vi")    # told 0 min
    t4 = queue.issue_ticket("b1", "assistance", "vi")   # told 20 min
    t5 = queue.issue_ticket("b1", "residence", "cs")    # told 20 min
    assert [t.estimated_wait_minutes for t in (t1, t2, t3, t4, t5)] == [0, 10, 0, 20, 20]
    clock.advance(minutes=2)
    assert queue.call_next(desk_a).id == t1.id            # waited 120 s
    queue.start(t1.id)
    clock.advance(minutes=5)
    queue.finish(t1.id, topics=["work", "housing"])        # served 300 s
    assert queue.call_next(desk_a).id == t2.id            # waited 420 s
    queue.no_show(t2.id)
    assert queue.call_next(desk_r).id == t3.id            # waited 420 s
    queue.start(t3.id)
    desk = InterpreterDesk(queue)
    request_id = desk.request(t3.id, staff_id=anna).id
    clock.advance(minutes=1)
    desk.accept(request_id, staff_id=ivan)
    clock.advance(minutes=4)
    desk.finish(request_id, staff_id=ivan)                # interpreting 240 s
    clock.advance(minutes=1)
    queue.transfer(t3.id, "assistance")
    assert queue.call_next(desk_a).id == t3.id            # keeps its place in time
    queue.start(t3.id)
    clock.advance(minutes=2)
    queue.finish(t3.id, topics=["residence_status"])      # served 120 s
    queue.cancel(t4.id, reason="left")
    assert queue.call_next(desk_r).id == t5.id            # waited 900 s
    queue.start(t5.id)
    clock.advance(minutes=20)
    queue.finish(t5.id)                                   # served 1200 s


EMPTY = {"appointments": 0, "interpreter_requests": 0, "interpreting_minutes": 0.0, "transferred": 0,
         "served": 0, "no_show": 0, "cancelled": 0, "service_median_s": None, "service_p90_s": None}
EXPECTED_ROWS = [
    {"service": "assistance", "language": "ru"} | EMPTY | {
        "tickets": 1, "walk_ins": 1, "no_show": 1, "wait_median_s": 420, "wait_p90_s": 420,
        "estimate_error_median_min": 3},
    {"service": "assistance", "language": "vi"} | EMPTY | {
        "tickets": 2, "walk_ins": 2, "served": 1, "cancelled": 1, "wait_median_s": 120, "wait_p90_s": 120,
        "service_median_s": 300, "service_p90_s": 300, "estimate_error_median_min": 2},
    {"service": "residence", "language": "cs"} | EMPTY | {
        "tickets": 1, "walk_ins": 1, "served": 1, "wait_median_s": 960, "wait_p90_s": 960,
        "service_median_s": 1200, "service_p90_s": 1200, "estimate_error_median_min": 5},
    {"service": "residence", "language": "vi"} | EMPTY | {
        "tickets": 1, "walk_ins": 1, "served": 1, "transferred": 1, "interpreter_requests": 1,
        "interpreting_minutes": 4.0, "wait_median_s": 420, "wait_p90_s": 420,
        "service_median_s": 120, "service_p90_s": 120, "estimate_error_median_min": 7},
]
EXPECTED_TOTAL = {
    "tickets": 5, "walk_ins": 5, "appointments": 0, "served": 3, "no_show": 1, "cancelled": 1,
    "transferred": 1, "interpreter_requests": 1, "interpreting_minutes": 4.0,
    "wait_median_s": 420, "wait_p90_s": 960, "service_median_s": 300, "service_p90_s": 1200,
    "estimate_error_median_min": 3,
}
EXPECTED_TOPICS = [{"topic": "housing", "count": 1}, {"topic": "residence_status", "count": 1},
                   {"topic": "work", "count": 1}]


def _branch_id(database) -> int:
    with database.reader() as session:
        return session.execute(select(Branch.id).where(Branch.code == "b1")).scalar_one()


def _compute(database, clock, **query) -> dict:
    values = {"date_from": DAY, "date_to": DAY, "branch_ids": (_branch_id(database),)} | query
    with database.reader() as session:
        return compute(session, StatQuery(**values), clock())


def test_every_number_of_a_known_day_live_and_rolled_up(any_db):
    clock = Clock()
    world = build_world(any_db.writer)
    queue = any_db.queue(clock)
    drive_known_day(queue, clock, world)

    live = _compute(any_db, clock, by=("service", "language"))
    assert live["rows"] == EXPECTED_ROWS
    assert live["total"] == EXPECTED_TOTAL
    assert live["topics"] == EXPECTED_TOPICS
    assert live["estimate_error_median_min"] == 3

    clock.advance(days=1)
    with any_db.writer() as session, session.begin():
        branch = session.get(Branch, _branch_id(any_db))
        assert days_to_roll_up(session, branch, clock()) == [DAY]
        roll_up(session, branch, DAY, clock())
        assert days_to_roll_up(session, branch, clock()) == []
    stored = _compute(any_db, clock, by=("service", "language"))
    assert stored == live


def test_groupings_and_filters(any_db):
    clock = Clock()
    world = build_world(any_db.writer)
    drive_known_day(any_db.queue(clock), clock, world)
    by_hour = _compute(any_db, clock, by=("hour", "weekday"))
    # Hours keep counts and waits; service time and the estimate's error are figures of days.
    assert by_hour["rows"] == [{"hour": 9, "weekday": 0} | EXPECTED_TOTAL | {
        "service_median_s": None, "service_p90_s": None, "estimate_error_median_min": None}]
    by_topic = _compute(any_db, clock, by=("service", "topic"))
    assert by_topic["rows"] == [
        {"service": "assistance", "topic": "housing", "interventions": 1},
        {"service": "assistance", "topic": "work", "interventions": 1},
        {"service": "residence", "topic": "residence_status", "interventions": 1},
    ]
    only_vi = _compute(any_db, clock, by=("day",), languages=("vi",), services=("residence",))
    residence_vi = {k: v for k, v in EXPECTED_ROWS[3].items() if k not in ("service", "language")}
    assert only_vi["rows"] == [{"day": "2026-11-23"} | residence_vi]
    assert only_vi["topics"] == [{"topic": "residence_status", "count": 1}]
    nothing = _compute(any_db, clock, date_from=date(2026, 11, 24), date_to=date(2026, 11, 30))
    assert nothing["rows"] == [] and nothing["total"]["tickets"] == 0 and nothing["topics"] == []


def test_old_events_are_purged_only_after_their_day_is_rolled_up(any_db):
    clock = Clock()
    world = build_world(any_db.writer)
    drive_known_day(any_db.queue(clock), clock, world)
    before = _compute(any_db, clock, by=("service", "language"))
    clock.advance(days=40)
    with any_db.writer() as session, session.begin():
        branch = session.get(Branch, _branch_id(any_db))
        assert purge_events(session, branch, clock(), keep_days=30) == 0  # not rolled up yet
        roll_up(session, branch, DAY, clock())
        assert purge_events(session, branch, clock(), keep_days=30) == 25
    with any_db.reader() as session:
        assert session.execute(select(func.count()).select_from(Event)).scalar_one() == 0
        assert session.execute(select(func.count()).select_from(StatRollup)).scalar_one() == 1
    assert _compute(any_db, clock, by=("service", "language")) == before


def test_the_sweep_rolls_up_finished_days_then_purges_old_events(any_db):
    from models.statistics import maintain
    clock = Clock()
    world = build_world(any_db.writer)
    drive_known_day(any_db.queue(clock), clock, world)
    assert maintain(any_db.writer, clock(), keep_days=30) == {"days_rolled_up": 0, "events_purged": 0}  # today
    clock.advance(days=1)
    assert maintain(any_db.writer, clock(), keep_days=30) == {"days_rolled_up": 1, "events_purged": 0}
    clock.advance(days=40)
    assert maintain(any_db.writer, clock(), keep_days=30) == {"days_rolled_up": 0, "events_purged": 25}
    assert _compute(any_db, clock, by=("service", "language"))["rows"] == EXPECTED_ROWS
