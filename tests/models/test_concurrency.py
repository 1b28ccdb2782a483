"""Concurrent kiosks and counters on SQLite and PostgreSQL: no duplicates, no gaps, no double calls."""
from __future__ import annotations

import threading
from collections import Counter as Tally
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from models import Event, QueueEngine

from ..factories import build_world

THREADS, PER_THREAD = 20, 50


def _run_together(workers: int, job) -> list:
    barrier = threading.Barrier(workers)

    def start(index):
        barrier.wait()  # release every thread at once, to collide as much as possible
        return job(index)

    with ThreadPoolExecutor(workers) as pool:
        return [item for chunk in pool.map(start, range(workers)) for item in chunk]


def test_concurrent_kiosks_get_distinct_gap_free_numbers(any_db):
    build_world(any_db.writer)
    queue = QueueEngine(any_db.writer, any_db.reader)

    def kiosk(_):
        return [queue.issue_ticket("b1", "assistance", "cs").number for _ in range(PER_THREAD)]

    labels = _run_together(THREADS, kiosk)
    total = THREADS * PER_THREAD
    assert len(labels) == total
    duplicates = [label for label, count in Tally(labels).items() if count > 1]
    assert duplicates == []
    assert sorted(int(label.split("-")[1]) for label in labels) == list(range(1, total + 1))
    with any_db.reader() as session:
        seqs = session.execute(select(Event.seq).order_by(Event.seq)).scalars().all()
    assert seqs == list(range(1, total + 1))  # the branch's event sequence has no gaps either


def test_two_counters_calling_at_once_never_get_the_same_ticket(any_db):
    world = build_world(any_db.writer)
    queue = QueueEngine(any_db.writer, any_db.reader)
    counters = [world.counters["desk-a"], world.counters["desk-ar"]]
    for counter in counters:
        queue.open_counter(counter)
    rounds = 100
    for _ in range(rounds * 2):
        queue.issue_ticket("b1", "assistance", "cs")

    def desk(index):
        got = []
        for _ in range(rounds):
            ticket = queue.call_next(counters[index])
            got.append(ticket.id)
            queue.no_show(ticket.id)  # frees the counter for the next call
        return got

    called = _run_together(2, desk)
    assert len(called) == len(set(called)) == rounds * 2


def test_sqlite_numbering_holds_without_the_in_process_write_gate(db):
    """Several processes share one SQLite file without a common Python lock: the database
    itself (BEGIN IMMEDIATE + atomic upsert) must keep the numbers distinct."""
    from sqlalchemy.orm import sessionmaker

    build_world(db.writer)
    ungated = sessionmaker(db.engine.execution_options(writes=True), expire_on_commit=False)
    queue = QueueEngine(ungated, db.reader)

    def kiosk(_):
        return [queue.issue_ticket("b1", "residence", "cs").number for _ in range(25)]

    labels = _run_together(8, kiosk)
    assert sorted(int(label.split("-")[1]) for label in labels) == list(range(1, 201))
