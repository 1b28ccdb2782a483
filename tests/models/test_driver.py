"""models/driver.py: statements run on the driver give and take the values SQLAlchemy's own
execution does (aware times, dates, JSON, booleans), on SQLite and PostgreSQL; what they cannot
run is run by SQLAlchemy, and an insert given other columns than it names is refused."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import JSON, Boolean, Column, Date, Integer, MetaData, String, Table, bindparam, insert, select
from sqlalchemy.orm import Session

from models.base import UTCDateTime
from models.db import make_engine
from models.driver import DriverRead, HotStatement

metadata = MetaData()
visit = Table(
    "visit", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(10)),
    Column("at", UTCDateTime),
    Column("day", Date),
    Column("details", JSON),
    Column("done", Boolean),
    Column("note", String(20), default="none"),   # a Python-side default
)
AT = datetime(2026, 12, 3, 9, 30, 15, 123456, tzinfo=timezone.utc)
ROW = {"kind": "walk-in", "at": AT, "day": date(2026, 12, 3), "details": {"languages": ["vi", "cs"]}, "done": True}
INSERT = HotStatement(insert(visit).returning(visit.c.id), columns=("kind", "at", "day", "details", "done", "note"))
READ = HotStatement(select(visit.c.id, visit.c.at, visit.c.day, visit.c.details, visit.c.done, visit.c.note)
                    .where(visit.c.kind == "walk-in", visit.c.at >= bindparam("since", type_=UTCDateTime)))


@pytest.fixture
def engine(any_db_url):
    engine = make_engine(any_db_url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_values_go_in_and_come_back_as_sqlalchemy_gives_them(engine):
    with Session(engine) as session, session.begin():
        made = INSERT.scalar(session, **ROW, note="first")
        rows = READ.rows(session, since=AT)
        plain = session.execute(select(visit).where(visit.c.id == made)).one()
    assert rows == [(made, AT, date(2026, 12, 3), {"languages": ["vi", "cs"]}, True, "first")]
    assert (rows[0].at, rows[0].done) == (AT, True)
    assert (plain.at, plain.day, plain.details, plain.done) == (AT, date(2026, 12, 3), {"languages": ["vi", "cs"]}, True)


def test_statements_run_in_the_sessions_transaction(engine):
    with Session(engine) as session:
        with session.begin():
            INSERT.rows(session, **ROW, note="kept")
        with session.begin():
            INSERT.rows(session, **ROW, note="undone")
            session.rollback()
        with session.begin():
            assert [row.note for row in READ.rows(session, since=AT)] == ["kept"]


def test_an_insert_given_other_columns_is_refused(engine):
    with Session(engine) as session, session.begin():
        with pytest.raises(ValueError, match="was given"):
            INSERT.rows(session, **ROW)                      # no note
        with pytest.raises(ValueError, match="was given"):
            INSERT.rows(session, **ROW, note="x", id=5)      # one too many
    with pytest.raises(ValueError, match="no such column"):
        HotStatement(insert(visit), columns=("kind", "colour"))


def test_what_needs_sqlalchemys_execution_is_run_by_it(engine):
    left_to_default = HotStatement(insert(visit), columns=("kind", "at", "day", "details", "done"))
    in_list = HotStatement(select(visit.c.note).where(visit.c.kind.in_(bindparam("kinds", expanding=True))))
    with Session(engine) as session, session.begin():
        assert left_to_default.rows(session, **ROW) == []   # an INSERT without RETURNING: no rows
        assert [row.note for row in in_list.rows(session, kinds=["walk-in", "appointment"])] == ["none"]
    with pytest.raises(ValueError):
        DriverRead(engine, select(visit.c.id).where(visit.c.kind.in_(bindparam("kinds", expanding=True))))


def test_a_driver_read_on_its_own_connection(engine):
    with Session(engine) as session, session.begin():
        INSERT.rows(session, **ROW, note="seen")
    read = DriverRead(engine, select(visit.c.note, visit.c.at).where(visit.c.done.is_(True)))
    assert read.rows() == [("seen", AT)]
