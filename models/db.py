"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""
from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
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
        connection.exec_driver_sql(f"BEGIN {mode}")

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
    """A one-statement read that runs on every request (a kiosk's device lookup), compiled once for
    the engine's dialect and run on a pooled driver connection: SQLAlchemy's work around a statement
    (≈ 40 µs here, plus a BEGIN and a ROLLBACK) was most of the lookup's cost. Only for statements
    whose parameters and columns need no conversion (integers, plain strings, literal booleans)."""

    def __init__(self, engine: Engine, statement):
        compiled = statement.compile(dialect=engine.dialect)
        self._engine = engine
        self._sql = str(compiled)
        self._order = tuple(compiled.positiontup) if compiled.positional else None

    def rows(self, **params) -> list[tuple]:
        values = tuple(params[name] for name in self._order) if self._order is not None else params
        connection = self._engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(self._sql, values)
                return [tuple(row) for row in cursor.fetchall()]
            finally:
                cursor.close()
        finally:
            connection.close()  # back to the pool, which ends any transaction the driver began
