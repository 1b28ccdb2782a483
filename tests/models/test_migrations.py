"""Alembic migrations create exactly the schema the models describe, on both databases."""
from __future__ import annotations

from alembic import command

from models.migrate import alembic_config, current_revision, upgrade


def test_migrations_match_the_models(any_db_url):
    upgrade(any_db_url)
    assert current_revision(any_db_url) is not None
    command.check(alembic_config(any_db_url))  # raises if autogenerate would find a difference


def test_upgrade_is_repeatable(sqlite_url):
    upgrade(sqlite_url)
    first = current_revision(sqlite_url)
    upgrade(sqlite_url)
    assert current_revision(sqlite_url) == first


def test_downgrade_to_nothing_and_back(any_db_url):
    upgrade(any_db_url)
    command.downgrade(alembic_config(any_db_url), "base")
    assert current_revision(any_db_url) is None
    upgrade(any_db_url)
    command.check(alembic_config(any_db_url))
