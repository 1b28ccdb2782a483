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
        # On the driver: every transaction begins here, and SQLAlchemy's execution (events, echo)
        # around this one fixed statement cost more than SQLite's own work.
        connection.connection.driver_connection.execute(f"BEGIN {mode}")

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
