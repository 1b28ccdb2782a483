"""Kiosk taps that arrive together are issued in one transaction (models/group_commit.py), on SQLite
and PostgreSQL: what each tap gets is what it would get alone, and a failing tap costs no one else."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, select

from models import Event, NotFound, QueueEngine
from models.group_commit import GroupCommit

from ..factories import build_world


def _commits(engine) -> list[int]:
    done: list[int] = []
    event.listen(engine, "commit", lambda _connection: done.append(1))
    return done


def _held_leader(queue: QueueEngine):
    """The first tap's batch is not over (its events are published after its commit) until released."""
    published, release = threading.Event(), threading.Event()

    def hold_first(_event):
        if not published.is_set():
            published.set()
            release.wait(10)
    queue.bus.subscribe(hold_first)
    return published, release


def _until_waiting(queue: QueueEngine, count: int) -> None:
    deadline = time.monotonic() + 10
    while queue.issuing.waiting < count:
        assert time.monotonic() < deadline, "the taps did not queue behind the leader"
        time.sleep(0.01)


def test_taps_arriving_during_a_transaction_share_the_next_one(any_db):
    build_world(any_db.writer)
    queue = QueueEngine(any_db.writer, any_db.reader)
    published, release = _held_leader(queue)
    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(queue.issue_ticket, "b1", "assistance", "cs")
        assert published.wait(10)
        commits = _commits(any_db.engine)
        rest = [pool.submit(queue.issue_ticket, "b1", "assistance", language)
                for language in ("en", "ru", "vi", "mn", "ar")]
        _until_waiting(queue, 5)
        release.set()
        tickets = [future.result(10) for future in [first, *rest]]
    assert len(commits) == 1        # the five that waited, together (the first had committed already)
    assert tickets[0].number == "A-001" and tickets[0].people_ahead == 0
    assert sorted(t.number for t in tickets[1:]) == ["A-002", "A-003", "A-004", "A-005", "A-006"]
    # Within the batch each ticket counts the ones issued before it, as it would alone.
    assert sorted((t.number, t.people_ahead, t.position) for t in tickets[1:]) == [
        ("A-002", 1, 2), ("A-003", 2, 3), ("A-004", 3, 4), ("A-005", 4, 5), ("A-006", 5, 6)]
    assert {t.language for t in tickets} == {"cs", "en", "ru", "vi", "mn", "ar"}
    with any_db.reader() as session:
        assert session.execute(select(Event.seq).order_by(Event.seq)).scalars().all() == [1, 2, 3, 4, 5, 6]


# (service, language, priority): walk-ins of one kind in a row, broken by a priority ticket, another
# language (interpreting matches languages), another service, then the first kind again.
MIXED_TAPS = [("assistance", "cs", 0), ("assistance", "cs", 0), ("assistance", "cs", 1), ("assistance", "cs", 0),
              ("interpreting", "ru", 0), ("interpreting", "vi", 0), ("interpreting", "ru", 0),
              ("interpreting", "ru", 0), ("residence", "en", 0), ("assistance", "cs", 0), ("assistance", "en", 0),
              ("assistance", "en", 0), ("assistance", "cs", 2), ("assistance", "cs", 2)]


def test_a_batch_of_mixed_taps_counts_those_ahead_as_taps_alone_do(any_db):
    """Each ticket's people ahead and wait, issued in one batch, are those of the same taps issued one
    by one (a twin branch), including where a tap stands right behind the previous one of its kind."""
    from sqlalchemy import update

    from models import Branch, Counter
    from models.engine import issue_in
    from models.queue import TicketSequence
    for code in ("b1", "b2"):
        build_world(any_db.writer, code)
    with any_db.writer() as session, session.begin():      # interpreters speaking Russian, desks open
        session.execute(update(Counter).values(state="open"))
        session.execute(update(Counter).where(Counter.name == "interp").values(languages=["ru"]))
    queue = QueueEngine(any_db.writer, any_db.reader)
    for service, language, priority in MIXED_TAPS[:3]:                # some already waiting in both
        for code in ("b1", "b2"):
            queue.issue_ticket(code, service, language, priority=priority)
    alone = [queue.issue_ticket("b2", service, language, priority=priority)
             for service, language, priority in MIXED_TAPS]
    with queue._batch() as work:
        together = [issue_in(work, "b1", service, language, priority=priority)
                    for service, language, priority in MIXED_TAPS]
    assert [(t.number, t.people_ahead, t.estimated_wait_minutes) for t in together] == \
        [(t.number, t.people_ahead, t.estimated_wait_minutes) for t in alone]
    assert [t.people_ahead for t in together] == [3, 4, 1, 6, 0, 1, 1, 2, 0, 7, 8, 9, 0, 1]
    # A batch counts its numbers on in memory and stores each queue's last one before it commits.
    assert [t.number for t in together if t.service == "assistance"] == [
        "A-004", "A-005", "A-006", "A-007", "A-008", "A-009", "A-010", "A-011", "A-012"]
    assert queue.issue_ticket("b1", "assistance", "cs").number == "A-013"
    assert queue.issue_ticket("b1", "interpreting", "ru").number == "I-005"
    with any_db.reader() as session:
        assert sorted(session.execute(select(TicketSequence.last_number)
                                      .join(Branch, Branch.id == TicketSequence.branch_id)
                                      .where(Branch.code == "b1")).scalars()) == [1, 5, 13]


def test_a_failing_tap_in_a_batch_fails_alone_and_leaves_no_gap(any_db):
    build_world(any_db.writer)
    queue = QueueEngine(any_db.writer, any_db.reader)
    published, release = _held_leader(queue)
    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(queue.issue_ticket, "b1", "assistance", "cs")
        assert published.wait(10)
        good = [pool.submit(queue.issue_ticket, "b1", "assistance", "en") for _ in range(2)]
        _until_waiting(queue, 2)
        bad = pool.submit(queue.issue_ticket, "b1", "no-such-service", "en")
        _until_waiting(queue, 3)
        good += [pool.submit(queue.issue_ticket, "b1", "assistance", "ru") for _ in range(2)]
        _until_waiting(queue, 5)
        release.set()
        numbers = [future.result(10).number for future in [first, *good]]
        with pytest.raises(NotFound, match="no service 'no-such-service'"):
            bad.result(10)
    # The batch's first attempt allocated numbers before the failing tap, then was rolled back.
    assert sorted(numbers) == ["A-001", "A-002", "A-003", "A-004", "A-005"]
    with any_db.reader() as session:
        assert session.execute(select(Event.seq).order_by(Event.seq)).scalars().all() == [1, 2, 3, 4, 5]


class _Interrupted(BaseException):
    """As a killed greenlet's GreenletExit: not an error of the tap, so not caught as one."""


def test_an_interrupted_leader_fails_its_batch_and_the_next_tap_leads():
    transactions: list[str] = []

    class Transaction:
        def __enter__(self):
            transactions.append("begin")
            return "work"

        def __exit__(self, kind, *_):
            transactions.append("rollback" if kind else "commit")

    group = GroupCommit(Transaction)
    entered, release = threading.Event(), threading.Event()

    def leader_step(_work):
        entered.set()
        release.wait(10)
        return "leader"

    def interrupted(_work):
        raise _Interrupted

    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(group.run, leader_step)
        assert entered.wait(10)
        doomed = [pool.submit(group.run, interrupted)]
        while group.waiting < 1:
            time.sleep(0.01)
        doomed.append(pool.submit(group.run, lambda _work: "never"))
        while group.waiting < 2:
            time.sleep(0.01)
        release.set()
        assert first.result(10) == "leader"
        with pytest.raises(_Interrupted):
            doomed[0].result(10)                     # the interrupted leader of the second batch
        with pytest.raises(RuntimeError, match="interrupted; please try again"):
            doomed[1].result(10)                     # its batch's other member: told, not left waiting
        assert group.run(lambda _work: "after") == "after"   # and a later tap leads again
    assert transactions == ["begin", "commit", "begin", "rollback", "begin", "commit"]


def test_a_tap_made_while_a_batch_is_settled_runs_alone(any_db):
    """An event subscriber of the leader's own batch issuing a ticket must not wait for that batch."""
    build_world(any_db.writer)
    queue = QueueEngine(any_db.writer, any_db.reader)
    follow_ups = []

    def issue_a_follow_up(published):
        if published.ticket and published.ticket["service"] == "assistance":
            follow_ups.append(queue.issue_ticket("b1", "residence", "cs").number)
    queue.bus.subscribe(issue_a_follow_up)
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(queue.issue_ticket, "b1", "assistance", "cs").result(10).number == "A-001"
    assert follow_ups == ["R-001"]


def _deadlocks(database) -> int:
    with database.engine.connect() as connection:
        return connection.exec_driver_sql(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()").scalar_one()


@pytest.mark.postgres
@pytest.mark.parametrize("first, second", [(("assistance", "residence"), ("residence", "assistance")),
                                           (("assistance", "residence"), ("residence",))])
def test_batches_of_two_processes_never_deadlock(postgres_url, first, second):
    """Two processes' batches for the same services, arriving in opposite orders: each batch locks the
    services' number rows in one order and its branch's event sequence last, as a single ticket does."""
    from models.db import make_engine, make_sessions

    from ..conftest import Database, _database
    second_process = make_engine(postgres_url)
    databases = [_database(postgres_url), Database(postgres_url, second_process, *make_sessions(second_process))]
    try:
        build_world(databases[0].writer)
        engines = [QueueEngine(d.writer, d.reader) for d in databases]
        before = _deadlocks(databases[0])
        for _ in range(5):
            holds = [_held_leader(engine) for engine in engines]
            with ThreadPoolExecutor(8) as pool:
                leaders = [pool.submit(engine.issue_ticket, "b1", "interpreting", "cs") for engine in engines]
                for published, _release in holds:
                    assert published.wait(10)
                taps = []
                for engine, services in zip(engines, (first, second), strict=True):
                    for queued, service in enumerate(services, start=1):
                        taps.append(pool.submit(engine.issue_ticket, "b1", service, "cs"))
                        _until_waiting(engine, queued)      # so that they arrive in this order
                for _published, release in holds:
                    release.set()
                for future in [*leaders, *taps]:
                    future.result(20)
        assert _deadlocks(databases[0]) - before == 0
        with databases[0].reader() as session:
            seqs = session.execute(select(Event.seq).order_by(Event.seq)).scalars().all()
        assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) == 5 * (2 + len(first) + len(second))
    finally:
        for database in databases:
            database.engine.dispose()


class _Log:
    """A stand-in transaction that records what happens to it (the real ones are tested above)."""

    def __init__(self, fail_commit: bool = False):
        self.entries: list[str] = []
        self.fail_commit = fail_commit

    def __call__(self):
        return self

    def __enter__(self):
        self.entries.append("begin")
        return "work"

    def __exit__(self, kind, *_):
        if kind is None and self.fail_commit:
            self.entries.append("commit failed")
            raise ConnectionError("server closed the connection during COMMIT")
        self.entries.append("rollback" if kind else "commit")


def test_a_step_may_return_none():
    assert GroupCommit(_Log()).run(lambda _work: None) is None


def test_a_batch_whose_commit_fails_is_not_run_again():
    """Its tickets may be committed: running the taps again could issue them twice."""
    log = _Log()
    group = GroupCommit(log)
    entered, release = threading.Event(), threading.Event()

    def first(_work):
        entered.set()
        release.wait(10)
        return "first"

    ran: list[str] = []

    def follower(name):
        ran.append(name)
        log.fail_commit = True
    with ThreadPoolExecutor(3) as pool:
        leader = pool.submit(group.run, first)
        assert entered.wait(10)
        followers = [pool.submit(group.run, lambda _work, n=n: follower(n)) for n in ("a", "b")]
        while group.waiting < 2:
            time.sleep(0.01)
        release.set()
        assert leader.result(10) == "first"
        for answer in followers:
            with pytest.raises(ConnectionError, match="during COMMIT"):
                answer.result(10)
    assert sorted(ran) == ["a", "b"]                      # each ran once, in the batch
    assert log.entries == ["begin", "commit", "begin", "commit failed"]


KILLED_WAITER = '''
from gevent import monkey; monkey.patch_all()
import gevent
from models.group_commit import GroupCommit

class Transaction:
    def __enter__(self): return "work"
    def __exit__(self, *_): pass

group = GroupCommit(Transaction)
release = gevent.event.Event()
leader = gevent.spawn(group.run, lambda _work: release.wait(5) and "leader")
gevent.sleep(0.05)
doomed = gevent.spawn(group.run, lambda _work: "doomed")
gevent.sleep(0.05)
doomed.kill()                    # as a request timeout would, while it waits for the next batch
after = gevent.spawn(group.run, lambda _work: "after")
gevent.sleep(0.05)
release.set()
print(leader.get(timeout=5), after.get(timeout=5), group.run(lambda _work: "later"), group.waiting)
'''


def test_a_tap_killed_while_waiting_does_not_stop_the_others():
    """Under gevent (as served): a killed waiter that was to lead the next batch hands it on."""
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", KILLED_WAITER], cwd=root, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["leader", "after", "later", "0"]
