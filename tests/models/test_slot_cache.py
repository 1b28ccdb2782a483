"""The cache of free slots for public booking reads: every booking, cancellation and rebooking
invalidates it at once, in one process and across processes (Redis)."""
from __future__ import annotations

import uuid
from datetime import date

import pytest
import redis
from sqlalchemy import update

from models import AppointmentBook, QueueEngine
from models.queue import SlotBooking
from models.slot_cache import LocalGenerations, RedisGenerations, SlotCache

from ..conftest import Clock
from .test_appointments import at, make_bookable

TUESDAY = date(2026, 11, 24)
REDIS_URL = "redis://127.0.0.1:6379/0"


def free_at(book: AppointmentBook, hhmm: str) -> int:
    return next(s["free"] for s in book.slots("b1", "residence", TUESDAY) if s["start"] == at(TUESDAY, hhmm))


def day_free(book: AppointmentBook) -> int:
    return next(d["free"] for d in book.days("b1", "residence") if d["date"] == TUESDAY)


@pytest.fixture(params=["one process", "two processes on Redis"])
def nodes(request, db, world):
    """Two appointment books on one database: one node twice, or two nodes sharing Redis generations."""
    make_bookable(db.writer)
    clock = Clock()
    if request.param == "one process":
        cache = SlotCache(LocalGenerations())
        caches = (cache, cache)
    else:
        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        except redis.RedisError as exc:
            pytest.skip(f"Redis not reachable: {exc}")
        prefix = f"okenko-test-{uuid.uuid4().hex[:8]}"
        caches = (SlotCache(RedisGenerations(REDIS_URL, prefix)), SlotCache(RedisGenerations(REDIS_URL, prefix)))
    return tuple(AppointmentBook(QueueEngine(db.writer, db.reader, clock=clock), slot_cache=c) for c in caches)


def test_reads_are_served_from_the_cache(nodes, db):
    reader, _ = nodes
    assert free_at(reader, "10:00") == 2
    with db.writer() as session, session.begin():  # behind the book's back: the cache does not see it
        session.add(SlotBooking(branch_id=1, service_id=2, start=at(TUESDAY, "10:00"), booked=1))
    assert free_at(reader, "10:00") == 2


def test_booking_cancelling_and_rebooking_invalidate_every_node(nodes):
    reader, writer = nodes
    assert (free_at(reader, "10:00"), free_at(reader, "10:30"), day_free(reader)) == (2, 2, 16)

    booked = writer.book("b1", "residence", "cs", at(TUESDAY, "10:00"))
    assert (free_at(reader, "10:00"), day_free(reader)) == (1, 15)

    writer.rebook(booked.code, at(TUESDAY, "10:30"))
    assert (free_at(reader, "10:00"), free_at(reader, "10:30"), day_free(reader)) == (2, 1, 15)

    writer.cancel(booked.code)
    assert (free_at(reader, "10:30"), day_free(reader)) == (2, 16)


def test_a_full_slot_is_never_shown_free(nodes):
    reader, writer = nodes
    assert free_at(reader, "11:00") == 2
    writer.book("b1", "residence", "cs", at(TUESDAY, "11:00"))
    writer.book("b1", "residence", "cs", at(TUESDAY, "11:00"))
    assert free_at(reader, "11:00") == 0


def test_entries_expire(db, world):
    make_bookable(db.writer)
    ticks = [0.0]
    book = AppointmentBook(QueueEngine(db.writer, db.reader, clock=Clock()),
                           slot_cache=SlotCache(LocalGenerations(), ttl_s=30, clock=lambda: ticks[0]))
    assert free_at(book, "09:00") == 2
    with db.writer() as session, session.begin():  # e.g. an administrator lowering the capacity
        session.execute(update(SlotBooking).values(booked=0))
        session.add(SlotBooking(branch_id=1, service_id=2, start=at(TUESDAY, "09:00"), booked=2))
    ticks[0] = 29.0
    assert free_at(book, "09:00") == 2
    ticks[0] = 30.0
    assert free_at(book, "09:00") == 0


def test_a_broken_redis_means_no_cache_not_no_booking(db, world):
    make_bookable(db.writer)
    broken = SlotCache(RedisGenerations("redis://127.0.0.1:1/0", "okenko-test"))
    book = AppointmentBook(QueueEngine(db.writer, db.reader, clock=Clock()), slot_cache=broken)
    assert free_at(book, "10:00") == 2
    book.book("b1", "residence", "cs", at(TUESDAY, "10:00"))
    assert free_at(book, "10:00") == 1
