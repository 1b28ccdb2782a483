"""The `okenko` command, run as a user would: a real process, a real gunicorn server."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

OKENKO = [sys.executable, "-m", "okenko.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def env(tmp_path):
    values = {k: v for k, v in os.environ.items() if not k.startswith("OKENKO_")}
    return values | {"OKENKO_INSTANCE_PATH": str(tmp_path / "instance")}


def okenko(env, *args, check=True):
    return subprocess.run(OKENKO + list(args), env=env, capture_output=True, text=True, timeout=120, check=check)


def test_upgrade_and_seed_are_idempotent_and_print_secrets_once(env, tmp_path):
    assert "newest schema" in okenko(env, "db", "upgrade").stdout
    assert (tmp_path / "instance" / "okenko.db").exists()
    first = okenko(env, "seed-demo").stdout
    assert re.search(r"password of admin \(admin\): \S{8,}", first)
    assert re.search(r"kiosk token, praha-iv: \S{20,}", first)
    second = okenko(env, "seed-demo").stdout
    assert "password of" not in second and "demo data is in place" in second


def test_a_bad_setting_is_reported_in_words(env):
    result = okenko(env | {"OKENKO_MAX_BODY_BYTES": "lots"}, "db", "upgrade", check=False)
    assert result.returncode != 0
    assert "setting max_body_bytes: expected int, got 'lots'" in result.stderr


def wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stdout.read()}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or the worker still loading the app
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_demo_sets_up_and_serves_with_gunicorn(env):
    port = free_port()
    env = env | {"OKENKO_DEMO_SECRET": "s3cret-demo"}
    process = subprocess.Popen(OKENKO + ["demo", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz", process)
        kiosk = {"Authorization": "Bearer s3cret-demo"}
        ticket = requests.post(f"{base}/api/v1/tickets", headers=kiosk, timeout=5,
                               json={"branch": "praha-i", "service": "residence", "language": "ar"})
        assert ticket.status_code == 201 and ticket.json()["number"] == "R-001"
        assert ticket.json()["status_url"].startswith(f"{base}/t/")
        token = requests.post(f"{base}/api/v1/auth/token", json={"username": "admin", "password": "s3cret-demo"},
                              timeout=5)
        assert token.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
    assert "gunicorn" in output.lower() or "Booting worker" in output


def test_serve_refuses_a_database_that_is_not_migrated(env):
    result = okenko(env, "serve", "--port", str(free_port()), check=False)
    assert result.returncode != 0
    assert "run `okenko db upgrade` first" in result.stderr


def test_appointment_sweep_from_cron(env, tmp_path):
    okenko(env, "db", "upgrade")
    okenko(env, "seed-demo")
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import create_engine, text
    engine = create_engine(f"sqlite:///{tmp_path / 'instance' / 'okenko.db'}")
    long_ago = (datetime.now(UTC) - timedelta(days=40)).replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO appointment (code, branch_id, service_id, language, start, \"end\", status, contact, "
            "created_at) SELECT 'ACDEFHJK', branch_id, id, 'vi', :start, :end, 'booked', '+420 777 000 111', :start "
            "FROM service WHERE code = 'residence' LIMIT 1"), {"start": long_ago, "end": long_ago + timedelta(minutes=30)})
    assert okenko(env, "appointments", "sweep").stdout.strip() == \
        "1 appointment(s) marked no-show, 1 contact(s) erased"
    with engine.connect() as connection:
        assert connection.execute(text("SELECT status, contact FROM appointment")).one() == ("no_show", "")
    engine.dispose()


def okenko_input(env, stdin: str, *args, check=True):
    return subprocess.run(OKENKO + list(args), env=env, input=stdin, capture_output=True, text=True, timeout=120,
                          check=check)


def test_staff_create_and_set_password_revoke_earlier_sessions(env, tmp_path):
    from ..conftest import make_app
    okenko(env, "db", "upgrade")
    okenko(env, "seed-demo")
    created = okenko_input(env, "first-long-password\n", "staff", "create", "jana", "--role", "counsellor",
                           "--branch", "praha-iv", "--languages", "cs,vi", "--name", "Jana N.")
    assert created.stdout.strip() == "created jana (counsellor)"              # no password echoed back
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'instance' / 'okenko.db'}")
    client = app.test_client()
    signed_in = client.post("/api/v1/auth/token", json={"username": "jana", "password": "first-long-password"})
    assert signed_in.status_code == 200 and signed_in.json["staff"]["role"] == "counsellor"
    headers = {"Authorization": f"Bearer {signed_in.json['token']}"}
    assert client.get("/api/v1/branches/praha-iv/tickets", headers=headers).status_code == 200
    assert client.get("/api/v1/branches/praha-iii/tickets", headers=headers).status_code == 403

    changed = okenko_input(env, "", "staff", "set-password", "jana")       # nothing on stdin: generated
    lines = changed.stdout.strip().splitlines()
    assert lines[0] == "new password set for jana; 1 session(s) ended"
    new_password = re.fullmatch(r"password \(shown only now\): (\S{16,})", lines[1]).group(1)
    assert client.get("/api/v1/branches/praha-iv/tickets", headers=headers).status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": "jana", "password": new_password}).status_code == 200

    again = okenko_input(env, "another-long-password\n", "staff", "create", "jana", "--role", "counsellor",
                         check=False)
    assert again.returncode != 0 and "exists already" in again.stderr
    unknown = okenko_input(env, "", "staff", "set-password", "nobody", check=False)
    assert unknown.returncode != 0 and "no staff account 'nobody'" in unknown.stderr
    generated = okenko_input(env, "", "staff", "create", "eva", "--role", "receptionist", "--branch", "praha-i")
    assert re.search(r"password \(shown only now\): \S{16,}", generated.stdout)


def test_seed_demo_with_history_fills_realistic_past_days_once(env, tmp_path):
    from datetime import timedelta

    from models import Branch, utcnow
    from models.db import make_engine, make_sessions
    from models.numbering import service_day
    from models.statistics import StatQuery, compute

    okenko(env, "db", "upgrade")
    first = okenko(env, "seed-demo", "--history-days", "14").stdout
    assert re.search(r"history: [1-9]\d+ tickets over 14 days; 3[0-9] day\(s\) of statistics stored", first)
    again = okenko(env, "seed-demo", "--history-days", "14").stdout
    assert "history: 0 tickets over 14 days; 0 day(s) of statistics stored" in again
    engine = make_engine(f"sqlite:///{tmp_path / 'instance' / 'okenko.db'}")
    _, reader = make_sessions(engine)
    with reader() as session:
        branch = session.query(Branch).filter_by(code="praha-iv").one()
        today = service_day(branch.timezone, utcnow())
        query = StatQuery(today - timedelta(days=14), today - timedelta(days=1), (branch.id,), by=("weekday",))
        result = compute(session, query, utcnow())
        by_language = compute(session, StatQuery(query.date_from, query.date_to, (branch.id,), by=("language",)),
                              utcnow())
    engine.dispose()
    weekdays = {row["weekday"]: row["tickets"] for row in result["rows"]}
    assert 6 not in weekdays                                        # closed on Sundays
    assert weekdays[0] > 2 * weekdays[5]                            # Mondays busy, Saturdays light
    total = result["total"]
    assert total["no_show"] > 0 and total["appointments"] > 0 and total["interpreter_requests"] > 0
    assert total["served"] > total["no_show"] + total["cancelled"]
    assert result["topics"] and all(t["count"] > 0 for t in result["topics"])
    languages = {row["language"]: row["tickets"] for row in by_language["rows"]}
    assert set(languages) == {"vi", "uk", "ru", "mn", "cs", "en", "ar", "fr"}
    assert languages["vi"] > languages["fr"]
