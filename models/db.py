"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""
from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, Select, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str, echo: bool = False) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, echo)
    return create_engine(url, echo=echo, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _sqlite_engine(url: str, database: str | None, echo: bool) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):
        # Take transaction control from the driver: it would BEGIN lazily and
        # deferred, and a deferred reader that later writes fails under WAL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        # Writers take the write lock up front, so concurrent writers queue
        # on busy_timeout instead of failing; readers stay concurrent.
        mode = "IMMEDIATE" if connection.get_execution_options().get("writes") else "DEFERRED"
        connection.connection.driver_connection.execute(f"BEGIN {mode}")  # on the driver: every transaction

    return engine


def make_sessions(engine: Engine) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    """(write sessions, read-only sessions). On SQLite only the first take the write lock.

    SQLite has one writer at a time; its busy handler waits by sleeping in steps of up to
    100 ms, so writers of one process queue on a Python lock instead (`info["write_gate"]`).
    """
    info = {"write_gate": threading.Lock()} if engine.dialect.name == "sqlite" else {}
    writer = sessionmaker(engine.execution_options(writes=True), expire_on_commit=False, info=info)
    reader = sessionmaker(engine, expire_on_commit=False)
    return writer, reader


class DriverRead:
    """A one-statement read that runs on every request (a kiosk's device lookup), on a pooled driver
    connection of its own, outside any transaction: SQLAlchemy's work around a statement (≈ 40 µs
    here, plus a BEGIN and a ROLLBACK) was most of the lookup's cost. Compiled once, converted as
    HotStatement does."""

    def __init__(self, engine: Engine, statement):
        self._engine = engine
        self._compiled = _Compiled.of(statement, engine.dialect, None)
        if self._compiled is None:
            raise ValueError("a driver read cannot expand IN lists")

    def rows(self, **params) -> list[tuple]:
        connection = self._engine.raw_connection()
        try:
            return self._compiled.run(connection.driver_connection, params)
        finally:
            connection.close()  # back to the pool, which ends any transaction the driver began


class HotStatement:
    """A statement on the busiest path (issuing a ticket: eight of them in one transaction), run on
    the driver cursor of the session's own connection, inside its transaction. SQLAlchemy's work
    around an execution (≈ 40 µs here) cost more than SQLite's own for these short statements.

    Compiled once per dialect. Parameters and selected columns still pass through their types'
    processors (`TypeEngine.bind_processor` / `result_processor`), so the database is given, and the
    caller gets back, exactly what SQLAlchemy would. Rows are named tuples (`row.service_id`).
    Statements with expanding parameters (`IN` lists), or an INSERT that would leave a column to a
    Python-side default, are run by SQLAlchemy instead. An INSERT names the columns it is given
    (`columns`), as SQLAlchemy's execution does from the parameters."""

    def __init__(self, statement, columns: tuple[str, ...] | None = None):
        self.statement = statement
        self.columns = columns
        self._compiled: dict[tuple[str, str], _Compiled | None] = {}

    def rows(self, session: Session, **params) -> list[tuple]:
        connection = session.connection()
        dialect = connection.dialect
        key = (dialect.name, dialect.driver)
        if key not in self._compiled:
            self._compiled[key] = _Compiled.of(self.statement, dialect, self.columns)
        compiled = self._compiled[key]
        if compiled is None:
            return list(connection.execute(self.statement, params))
        return compiled.run(connection.connection.driver_connection, params)

    def scalar(self, session: Session, **params):
        return self.rows(session, **params)[0][0]


class _Compiled:
    def __init__(self, sql: str, order: tuple[str, ...] | None, defaults: dict, binds: dict[str, Callable],
                 results: tuple[Callable | None, ...], row: type):
        self.sql, self.order, self.defaults, self.binds, self.results, self.row = \
            sql, order, defaults, binds, results, row

    @classmethod
    def of(cls, statement, dialect: Dialect, columns: tuple[str, ...] | None) -> _Compiled | None:
        compiled = statement.compile(dialect=dialect, column_keys=list(columns) if columns else None)
        if any(bind.expanding for bind in compiled.binds.values()) or compiled.insert_prefetch \
                or compiled.update_prefetch:
            return None
        binds = {name: processor for name, bind in compiled.binds.items()
                 if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None}
        # Literal values in the statement (a status compared with 'waiting') are parameters too.
        defaults = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
        columns = list(statement.selected_columns) if isinstance(statement, Select) else []
        results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns)
        row = namedtuple("Row", [column.key for column in columns], rename=True) if columns else tuple
        return cls(str(compiled), tuple(compiled.positiontup) if compiled.positional else None, defaults,
                   binds, results, row)

    def run(self, driver_connection, params: dict) -> list[tuple]:
        values = self.defaults | params
        for name, process in self.binds.items():
            values[name] = process(values[name])
        cursor = driver_connection.cursor()
        try:
            cursor.execute(self.sql, values if self.order is None else tuple(values[name] for name in self.order))
            found = cursor.fetchall() if cursor.description else []
        finally:
            cursor.close()
        if not self.results:
            return [tuple(row) for row in found]
        return [self.row(*(value if process is None else process(value)
                           for process, value in zip(self.results, row, strict=True))) for row in found]
