"""Fixtures shared by every test: throwaway databases, a controllable clock, a small world."""
from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from config.settings import load_settings
from sqlalchemy import update

from models import Base, Counter, QueueEngine
from models.db import make_engine, make_sessions
from models.migrate import upgrade

from .factories import World, build_world

PG_ADMIN_URL = os.environ.get("OKENKO_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI") == "true"


class Clock:
    """A clock the test moves by hand; starts on a Monday morning in Prague."""

    def __init__(self, start: datetime = datetime(2026, 11, 23, 8, 30, tzinfo=timezone.utc)):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def freeze(app) -> Clock:
    """Give a built app the test clock (Monday 23 Nov 2026, 09:30 in Prague): slots, check-in windows
    and numbering then do not depend on when the tests run."""
    from okenko.runtime import runtime
    clock = Clock()
    runtime(app).queue.clock = clock
    return clock


def _pg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_admin():
    """A connection to the PostgreSQL server, or a skip (a failure in CI)."""
    try:
        connection = psycopg.connect(_pg_dsn(PG_ADMIN_URL), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if IN_CI:
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    yield connection
    connection.close()


@pytest.fixture
def postgres_url(postgres_admin):
    """A throwaway PostgreSQL database, dropped after the test."""
    name = f"okenko_test_{uuid.uuid4().hex[:12]}"
    postgres_admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    postgres_admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'okenko.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db_url(request, tmp_path) -> str:
    """Runs the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'okenko.db'}"
    return request.getfixturevalue("postgres_url")


@dataclass
class Database:
    url: str
    engine: object
    writer: object
    reader: object

    def queue(self, clock=None) -> QueueEngine:
        return QueueEngine(self.writer, self.reader, clock=clock or Clock())


def _database(url: str) -> Database:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    writer, reader = make_sessions(engine)
    return Database(url, engine, writer, reader)


@pytest.fixture
def db(sqlite_url):
    database = _database(sqlite_url)
    yield database
    database.engine.dispose()


@pytest.fixture
def any_db(any_db_url):
    database = _database(any_db_url)
    yield database
    database.engine.dispose()


@pytest.fixture
def world(db) -> World:
    return build_world(db.writer)


@pytest.fixture
def queue(db, world, clock) -> QueueEngine:
    return db.queue(clock)


# ---- the Flask app with demo data --------------------------------------------------------------

DEMO_SECRET = "test-demo-secret"


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """The migrated, seeded demo database, built once; each app test gets a copy."""
    from okenko.demo import seed_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    writer, _ = make_sessions(engine)
    with writer() as session, session.begin():
        seed_demo(session, DEMO_SECRET)
        # Tests start with every counter closed and state what they open.
        session.execute(update(Counter).values(state="closed", staff_id=None, languages=[]))
    engine.dispose()
    return path


def make_app(tmp_path: Path, database_url: str, **settings):
    from okenko import create_app
    values = {"instance_path": str(tmp_path / "instance"), "database_url": database_url,
              "public_url": "https://okenko.example", "appointment_sweep_s": 0,
              # The rate-limit test sets its own; others book freely.
              "booking_rate_limit": "1000 per minute"} | settings
    return create_app(load_settings(env={}, **values))


def seed_database(database_url: str) -> str:
    """Migrate and seed a database of any kind with the demo (the copied SQLite file is for SQLite only)."""
    from okenko.demo import seed_demo
    upgrade(database_url)
    engine = make_engine(database_url)
    writer, _ = make_sessions(engine)
    with writer() as session, session.begin():
        seed_demo(session, DEMO_SECRET)
    engine.dispose()
    return database_url


def seeded_app(tmp_path: Path, database_url: str, **settings):
    return make_app(tmp_path, seed_database(database_url), **settings)


@pytest.fixture
def demo_app(tmp_path, demo_database):
    """Builds apps on a copy of the demo database, with the settings a test needs."""
    from okenko.runtime import runtime

    copy = tmp_path / "app.db"
    shutil.copyfile(demo_database, copy)
    apps = []

    def build(**settings):
        apps.append(make_app(tmp_path, f"sqlite:///{copy}", **settings))
        return apps[-1]

    yield build
    for built in apps:
        runtime(built).engine.dispose()


@pytest.fixture
def app(demo_app):
    return demo_app()


@pytest.fixture
def client(app):
    return app.test_client()


# Live servers and Chromium, shared by tests/browser, tests/display and others (one browser a run).
from .live import browser, landscape, live_server, portrait  # noqa: E402,F401
