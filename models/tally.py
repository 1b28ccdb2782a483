"""How many plain walk-in tickets wait in each queue, kept by the database itself.

A position is a count of the tickets ahead, and a count over an index still steps through every
row (about 0.15 µs each in SQLite): 1.8 ms per ticket issued at 10,000 waiting. Most waiting tickets
are plain walk-ins (no appointment time, not sent to one counter), and for those the count is kept
here, per (branch, day, service, priority, language), by triggers on the ticket table: every way a
ticket enters or leaves that state (issue, call, transfer, return, cancel, a counter deleted,
a branch deleted, a bulk load) moves the tally, in the same transaction. The few others
(appointments, tickets sent to a counter) are counted on their own partial index.

The triggers exist in both databases: SQLite's are plain SQL; PostgreSQL's is one function that,
when a ticket moves between two queues, changes their two rows in a fixed order, so that two
opposite transfers cannot deadlock. The migration `perf2` holds the same statements. A migration
that rebuilds the ticket table on SQLite (batch mode) drops its triggers and must create them
again; tests/models/test_queue_tally.py checks that they exist after every migration.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import DDL, Date, ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class QueueTally(Base):
    """Plain walk-ins waiting (status waiting, no due time, no target counter) in one queue."""

    __tablename__ = "queue_tally"

    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"), primary_key=True)
    service_day: Mapped[date] = mapped_column(Date, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    priority: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    waiting: Mapped[int] = mapped_column(Integer, default=0)


KEY = ("branch_id", "service_day", "service_id", "priority", "language")


def _plain(row: str) -> str:
    return f"{row}.status = 'waiting' AND {row}.due_at IS NULL AND {row}.target_counter_id IS NULL"


def _same_key() -> str:
    return " AND ".join(f"OLD.{column} = NEW.{column}" for column in KEY)


def _enter(row: str) -> str:
    return (f"INSERT INTO queue_tally ({', '.join(KEY)}, waiting) "
            f"VALUES ({', '.join(f'{row}.{column}' for column in KEY)}, 1) "
            f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET waiting = queue_tally.waiting + 1")


def _leave(row: str) -> str:
    match = " AND ".join(f"{column} = {row}.{column}" for column in KEY)
    return f"UPDATE queue_tally SET waiting = waiting - 1 WHERE {match}"


SQLITE_TRIGGERS = (
    f"CREATE TRIGGER ticket_tally_insert AFTER INSERT ON ticket WHEN {_plain('NEW')} "
    f"BEGIN {_enter('NEW')}; END",
    f"CREATE TRIGGER ticket_tally_delete AFTER DELETE ON ticket WHEN {_plain('OLD')} "
    f"BEGIN {_leave('OLD')}; END",
    f"CREATE TRIGGER ticket_tally_leave AFTER UPDATE ON ticket "
    f"WHEN {_plain('OLD')} AND NOT ({_plain('NEW')} AND {_same_key()}) BEGIN {_leave('OLD')}; END",
    f"CREATE TRIGGER ticket_tally_enter AFTER UPDATE ON ticket "
    f"WHEN {_plain('NEW')} AND NOT ({_plain('OLD')} AND {_same_key()}) BEGIN {_enter('NEW')}; END",
)
SQLITE_DROP = tuple(f"DROP TRIGGER IF EXISTS ticket_tally_{name}" for name in ("insert", "delete", "leave", "enter"))

_OLD_KEY, _NEW_KEY = (f"ROW({', '.join(f'{row}.{column}' for column in KEY)})" for row in ("OLD", "NEW"))
POSTGRESQL_TRIGGERS = (
    f"""CREATE FUNCTION ticket_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_plain boolean := false;
    is_plain boolean := false;
BEGIN
    IF TG_OP <> 'INSERT' THEN was_plain := {_plain('OLD')}; END IF;
    IF TG_OP <> 'DELETE' THEN is_plain := {_plain('NEW')}; END IF;
    IF was_plain AND is_plain AND {_OLD_KEY} = {_NEW_KEY} THEN
        RETURN NULL;
    END IF;
    IF was_plain AND is_plain AND {_NEW_KEY} < {_OLD_KEY} THEN
        {_enter('NEW')};
        {_leave('OLD')};
        RETURN NULL;
    END IF;
    IF was_plain THEN {_leave('OLD')}; END IF;
    IF is_plain THEN {_enter('NEW')}; END IF;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER ticket_tally AFTER INSERT OR UPDATE OR DELETE ON ticket "
    "FOR EACH ROW EXECUTE FUNCTION ticket_tally()",
)
POSTGRESQL_DROP = ("DROP TRIGGER IF EXISTS ticket_tally ON ticket", "DROP FUNCTION IF EXISTS ticket_tally()")

# A schema made from the models (tests, `create_all`) gets the triggers too, once every table exists.
for _statement in SQLITE_TRIGGERS:
    event.listen(Base.metadata, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_TRIGGERS:
    event.listen(Base.metadata, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
for _statement in POSTGRESQL_DROP[1:]:
    event.listen(Base.metadata, "after_drop", DDL(_statement).execute_if(dialect="postgresql"))
