"""Guessing budgets are charged atomically before the work: concurrent guesses cannot slip through
between a check and a charge (in one process or, with Redis, across processes); a kiosk's failed
check-ins are limited per device."""
from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
import redis
import requests

from models import DeviceKind

from .helpers import KIOSK, add_device

REDIS_URL = os.environ.get("OKENKO_TEST_REDIS", "redis://127.0.0.1:6379/0")


def unknown_codes(n: int) -> list[str]:
    letters = "ACDEFHJKMNPRTWXY"  # the code alphabet: well-formed, but no such appointment
    return [f"ACDE{letters[i // 16 % 16]}{letters[i % 16]}34" for i in range(n)]


def concurrent_lookups(url: str, n: int = 100) -> dict[int, int]:
    barrier = Barrier(n)

    def look(code: str) -> int:
        barrier.wait(timeout=30)
        return requests.get(f"{url}/api/v1/appointments/{code}", timeout=30).status_code

    with ThreadPoolExecutor(n) as pool:
        statuses = list(pool.map(look, unknown_codes(n)))
    return {status: statuses.count(status) for status in set(statuses)}


# Enough room in flight that load shedding (a separate guard, tests/api/test_load_shedding.py) stays out
# of the way: these tests count what the rate limit alone lets through.
ROOMY = {"max_in_flight": 512}


def test_100_concurrent_unknown_codes_get_exactly_the_limit_of_20(live_server):
    server = live_server(**ROOMY)
    assert concurrent_lookups(server.url) == {404: 20, 429: 80}


def test_the_limit_is_exact_with_the_counts_in_redis(live_server):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    channel = f"okenko-test-{uuid.uuid4().hex[:8]}"
    one = live_server(message_queue=REDIS_URL, message_queue_channel=channel, **ROOMY)
    assert concurrent_lookups(one.url, 50) == {404: 20, 429: 30}
    stored = redis.Redis.from_url(REDIS_URL).keys(f"*{channel}*appointment-code*")
    assert stored  # the counts live in Redis, where every process of the installation reads them


def test_failed_check_ins_are_limited_per_kiosk(app, client):
    add_device(app, "praha-iv", DeviceKind.KIOSK, "second-kiosk-token-xyz")
    check_in = lambda code, headers=KIOSK: client.post(  # noqa: E731
        "/api/v1/tickets", json={"branch": "praha-iv", "appointment_code": code}, headers=headers)
    statuses = [check_in(code).status_code for code in unknown_codes(21)]
    assert statuses == [404] * 20 + [429]
    limited = check_in("ACDEFHJK")
    assert limited.json["error"] == "rate_limited" and int(limited.headers["Retry-After"]) > 0
    other_kiosk = {"Authorization": "Bearer second-kiosk-token-xyz"}
    assert check_in("ACDEFHJK", other_kiosk).status_code == 404     # another kiosk has its own budget
    assert client.post("/api/v1/tickets", json={"branch": "praha-iv", "service": "assistance", "language": "vi"},
                       headers=KIOSK).status_code == 201             # issuing plain tickets goes on


def test_limit_headers_come_with_limited_views_only(client):
    """The extension's hooks run for the blueprints with limited views, not for every request."""
    booked = client.post("/api/v1/appointments", json={"branch": "praha-iv", "service": "residence",
                                                       "language": "en", "start": "2027-01-05T09:00:00+01:00"})
    assert booked.headers["X-RateLimit-Limit"] == "1000"          # the tests' booking limit, per minute
    assert int(booked.headers["X-RateLimit-Remaining"]) == 999
    for path in ("/healthz", "/api/v1/branches", "/api/v1/branches/praha-iv/snapshot"):
        assert "X-RateLimit-Limit" not in client.get(path).headers
    assert client.application.after_request_funcs[None] == [client.application.login_manager._update_remember_cookie]
