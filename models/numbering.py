"""Atomic counters: ticket numbers per (branch, service, service day) and event sequence per branch.

Each is one statement that increments and returns the new value (event sequence numbers may be
taken several at once), so concurrent transactions serialise on the row and never read the same
value (SQLite and PostgreSQL alike). Never max()+1. A transaction that issues several tickets into
one queue (a batch of taps) takes the first number so and counts on from it while it holds the row,
then writes the last one (`UnitOfWork.next_number`).
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .driver import HotStatement
from .org import Branch
from .queue import TicketSequence


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def service_day(timezone: str, moment: datetime) -> date:
    """The branch-local date: numbering restarts when it changes."""
    return moment.astimezone(zone(timezone)).date()


def ticket_label(prefix: str, number: int) -> str:
    return f"{prefix}-{number:03d}"


def _allocate_statement(insert):
    table = TicketSequence.__table__
    return (
        insert(table)
        .values(branch_id=bindparam("branch_id"), service_id=bindparam("service_id"),
                service_day=bindparam("service_day"), last_number=1)
        .on_conflict_do_update(
            index_elements=[table.c.branch_id, table.c.service_id, table.c.service_day],
            set_={"last_number": table.c.last_number + 1},
        )
        .returning(table.c.last_number)
    )


# Built once: the upsert is the same statement on both dialects, spelled by each one's insert().
ALLOCATE = {"postgresql": HotStatement(_allocate_statement(postgresql.insert)),
            "sqlite": HotStatement(_allocate_statement(sqlite.insert))}
NEXT_EVENT_SEQS = HotStatement(
    update(Branch.__table__)
    .where(Branch.__table__.c.id == bindparam("branch_id"))
    .values(event_seq=Branch.__table__.c.event_seq + bindparam("count"))
    .returning(Branch.__table__.c.event_seq)
)


_SEQUENCE = TicketSequence.__table__
SET_LAST_NUMBER = HotStatement(
    update(_SEQUENCE)
    .where(_SEQUENCE.c.branch_id == bindparam("b_branch_id"), _SEQUENCE.c.service_id == bindparam("b_service_id"),
           _SEQUENCE.c.service_day == bindparam("b_service_day"))
    .values(last_number=bindparam("b_last_number"))
)


def set_last_number(session: Session, branch_id: int, service_id: int, day: date, last: int) -> None:
    """Only for a row this transaction already holds (it allocated from it): see UnitOfWork.next_number."""
    SET_LAST_NUMBER.rows(session, b_branch_id=branch_id, b_service_id=service_id, b_service_day=day,
                         b_last_number=last)


def allocate_number(session: Session, branch_id: int, service_id: int, day: date) -> int:
    statement = ALLOCATE[session.connection().dialect.name]
    return statement.scalar(session, branch_id=branch_id, service_id=service_id, service_day=day)


def next_event_seqs(session: Session, branch_id: int, count: int = 1) -> range:
    """`count` consecutive sequence numbers of the branch's events (a batch's, in one statement)."""
    last = NEXT_EVENT_SEQS.scalar(session, branch_id=branch_id, count=count)
    return range(last - count + 1, last + 1)
