"""`okenko config export/import`, run as a user would: the file round-trips, importing is
idempotent, and a bad file is refused whole with every problem named."""
from __future__ import annotations

import shutil

from sqlalchemy import func, select

from models import AuditEvent
from models.db import make_engine, make_sessions

from .test_cli import env, okenko  # noqa: F401  (fixture)


def audit_rows(url: str) -> int:
    engine = make_engine(url)
    try:
        with make_sessions(engine)[1]() as session:
            return session.execute(select(func.count(AuditEvent.id))).scalar_one()
    finally:
        engine.dispose()


def test_export_import_into_a_fresh_database_export_gives_the_same_file(env, tmp_path, demo_database):  # noqa: F811
    office = tmp_path / "office.db"
    shutil.copyfile(demo_database, office)
    source = env | {"OKENKO_DATABASE_URL": f"sqlite:///{office}"}
    exported = okenko(source, "config", "export").stdout
    assert '[[branches]]\ncode = "praha-i"' in exported and 'username = "lawyer"' in exported
    assert "password" not in exported and "token" not in exported
    (tmp_path / "office.toml").write_text(exported, encoding="utf-8")

    fresh = env | {"OKENKO_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    okenko(fresh, "db", "upgrade")
    imported = okenko(fresh, "config", "import", str(tmp_path / "office.toml"))
    assert "imported: 9 topics, 3 branches, 8 slides, 10 staff" in imported.stdout
    assert okenko(fresh, "config", "export").stdout == exported

    changes = audit_rows(f"sqlite:///{tmp_path / 'fresh.db'}")
    okenko(fresh, "config", "import", str(tmp_path / "office.toml"))
    assert audit_rows(f"sqlite:///{tmp_path / 'fresh.db'}") == changes        # nothing changed the second time


def test_a_bad_file_is_refused_whole(env, tmp_path):  # noqa: F811
    fresh = env | {"OKENKO_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    okenko(fresh, "db", "upgrade")
    bad = tmp_path / "bad.toml"
    bad.write_text('''
[[branches]]
code = "brno"
timezone = "Europe/Brno"
languages = ["cs", "xx"]

[[branches.services]]
code = "residence"
prefix = "R"

[[branches.counters]]
number = 1
services = ["legal"]

[[staff]]
username = "eva"
role = "wizard"
''', encoding="utf-8")
    refused = okenko(fresh, "config", "import", str(bad), check=False)
    assert refused.returncode != 0
    for problem in ("unknown time zone 'Europe/Brno'", "unknown language 'xx'", "services not in this branch: legal",
                    "staff[0].role"):
        assert problem in refused.stderr, problem
    assert 'code = "brno"' not in okenko(fresh, "config", "export").stdout   # nothing imported
    broken = tmp_path / "broken.toml"
    broken.write_text("[[branches]\n", encoding="utf-8")
    assert "not a valid TOML file" in okenko(fresh, "config", "import", str(broken), check=False).stderr
