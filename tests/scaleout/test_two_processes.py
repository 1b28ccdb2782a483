"""Scale-out: two server processes sharing PostgreSQL and Redis; a call made through one reaches a
display connected to the other."""
from __future__ import annotations

import os
import uuid

import pytest
import redis
import requests


from ..conftest import DEMO_SECRET, seed_database
from ..display.test_realtime import display
from ..live import ServerProcess, server_env

REDIS_URL = os.environ.get("OKENKO_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    return REDIS_URL


@pytest.fixture
def seeded_postgres(postgres_url):
    return seed_database(postgres_url)


def test_a_call_through_one_process_reaches_a_display_on_the_other(tmp_path, seeded_postgres, redis_url):
    shared = {"OKENKO_DATABASE_URL": seeded_postgres, "OKENKO_MESSAGE_QUEUE": redis_url,
              # its own channel: other installations (and test runs) on this Redis hear nothing
              "OKENKO_MESSAGE_QUEUE_CHANNEL": f"okenko-test-{uuid.uuid4().hex[:8]}",
              "OKENKO_SECRET_KEY": "shared-by-both-processes"}
    a = ServerProcess(server_env(tmp_path / "a", **shared))
    b = ServerProcess(server_env(tmp_path / "b", **shared))
    screen = display(b.url, branch="praha-iii")
    try:
        screen.next("snapshot")
        token = requests.post(f"{a.url}/api/v1/auth/token", json={"username": "counsellor", "password": DEMO_SECRET},
                              timeout=5).json()["token"]
        staff = {"Authorization": f"Bearer {token}"}
        branches = requests.get(f"{a.url}/api/v1/branches", timeout=5).json()
        desk = next(c["id"] for b_ in branches if b_["code"] == "praha-iii" for c in b_["counters"]
                    if c["name"] == "Přepážka 1")
        assert requests.post(f"{a.url}/api/v1/counters/{desk}/open", headers=staff, timeout=5).status_code == 200
        ticket = requests.post(f"{a.url}/api/v1/tickets", headers={"Authorization": f"Bearer {DEMO_SECRET}"},
                               json={"branch": "praha-iii", "service": "residence", "language": "ru"},
                               timeout=5).json()
        called = requests.post(f"{a.url}/api/v1/counters/{desk}/call-next", headers=staff, timeout=5).json()
        assert called["number"] == ticket["number"]
        call = screen.next("call", timeout=10)
        assert call["ticket"]["number"] == ticket["number"] and call["counter"]["name"] == "Přepážka 1"
    finally:
        screen.close()
        a.stop()
        b.stop()
