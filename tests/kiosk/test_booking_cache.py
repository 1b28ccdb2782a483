"""Public booking reads in a surge: answered from memory (no database statement), stale at once when
a booking or cancellation changes them or when their first slot begins, each visitor's form with
its own CSRF token, and requests the cache cannot answer worked out afresh."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from kiosk.booking_cache import MAX_ANSWERS
from okenko.runtime import runtime

from ..conftest import freeze

SLOTS = "/api/v1/branches/praha-iv/slots?service=residence&date=2026-11-24"
DAYS = "/api/v1/branches/praha-iv/booking-days?service=residence"
PAGE = "/book/praha-iv/residence?lang=en&in=en&date=2026-11-24"


@pytest.fixture
def clock(app):
    return freeze(app)                       # Monday 23 Nov 2026, 09:30 in Prague


@pytest.fixture
def statements(app):
    """The SQL statements the app runs, as they run."""
    seen: list[str] = []
    listener = lambda *args: seen.append(args[2])                 # noqa: E731
    event.listen(runtime(app).engine, "before_cursor_execute", listener)
    yield seen
    event.remove(runtime(app).engine, "before_cursor_execute", listener)


def free_of(slots: list[dict], start: str) -> int:
    return next(slot["free"] for slot in slots if slot["start"] == start)


def day_free(days: list[dict], day: str) -> int:
    return next(d["free"] for d in days if d["date"] == day)


def test_reads_come_from_memory_and_a_booking_shows_at_once(app, clock, statements):
    client = app.test_client()
    first = client.get(SLOTS).json
    days = client.get(DAYS).json
    assert free_of(first, "2026-11-24T08:00:00+00:00") == 2 and day_free(days, "2026-11-24") == 96
    statements.clear()
    assert client.get(SLOTS).json == first and client.get(DAYS).json == days
    assert statements == []                                       # the surge does not reach the database

    booked = client.post("/api/v1/appointments", json={"branch": "praha-iv", "service": "residence",
                                                       "language": "en", "start": "2026-11-24T09:00:00+01:00"})
    assert booked.status_code == 201
    assert free_of(client.get(SLOTS).json, "2026-11-24T08:00:00+00:00") == 1
    assert day_free(client.get(DAYS).json, "2026-11-24") == 95
    assert client.delete(f"/api/v1/appointments/{booked.json['code']}").status_code == 200
    assert free_of(client.get(SLOTS).json, "2026-11-24T08:00:00+00:00") == 2


def test_an_answer_ends_when_its_first_slot_begins(app, clock):
    client = app.test_client()
    today = "/api/v1/branches/praha-iv/slots?service=residence&date=2026-11-23"
    assert client.get(today).json[0]["start"] == "2026-11-23T09:00:00+00:00"       # 10:00 in Prague
    clock.now += timedelta(minutes=31)                                              # 10:01: it has begun
    assert client.get(today).json[0]["start"] == "2026-11-23T09:30:00+00:00"


def test_every_visitor_gets_the_very_same_kept_page_and_no_cookie(app, clock, statements):
    anna, boris = app.test_client(), app.test_client()             # two phones: no shared cookie
    first = anna.get(PAGE)
    statements.clear()
    second = boris.get(PAGE, headers={"Sec-Fetch-Site": "same-origin"})
    assert statements == []
    assert first.data == second.data and "Set-Cookie" not in second.headers
    start = re.findall(r'name="start" value="([^"]+)"(?! disabled)', second.get_data(as_text=True))[0]
    booked = boris.post("/book/praha-iv/residence", data={"lang": "en", "in": "en", "start": start},
                        headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"})
    assert booked.status_code == 303
    assert anna.post("/book/praha-iv/residence", data={"lang": "en", "in": "en", "start": start},
                     headers={"Sec-Fetch-Site": "same-origin"}).status_code == 303     # its second place
    assert anna.get(PAGE).data != first.data                       # both bookings show


def test_what_the_cache_cannot_answer_is_worked_out_afresh(app, clock):
    client = app.test_client()
    assert "Choose a time" in client.get(PAGE).get_data(as_text=True)
    code = client.post("/api/v1/appointments", json={"branch": "praha-iv", "service": "residence",
                                                     "language": "en", "start": "2026-11-25T09:00:00+01:00"}).json["code"]
    moving = client.get(f"{PAGE}&rebook={code}").get_data(as_text=True)     # another parameter: not kept
    assert "Choose a new time" in moving and f'name="rebook" value="{code}"' in moving
    assert client.get("/api/v1/branches/praha-iv/slots?service=residence").status_code == 422   # never kept
    assert client.get(PAGE + "&utm_source=x").status_code == 200
    assert "Choose a time" in client.get(PAGE).get_data(as_text=True)


def test_nobody_puts_a_page_of_their_own_into_the_cache(app, clock):
    """A HEAD with a form body (Werkzeug reads it into request.values) is answered, not kept."""
    client = app.test_client()
    code = client.post("/api/v1/appointments", json={"branch": "praha-iv", "service": "residence",
                                                     "language": "en", "start": "2026-11-25T09:00:00+01:00"}).json["code"]
    client.open(PAGE, method="HEAD", data={"rebook": code, "in": "ar"})
    page = app.test_client().get(PAGE).get_data(as_text=True)
    assert "Choose a time" in page and code not in page


def test_made_up_values_are_answered_but_not_kept(app, clock, statements):
    client = app.test_client()
    client.get(PAGE)
    for _ in range(2):
        statements.clear()
        assert client.get(PAGE.replace("in=en", "in=zz")).status_code == 200
        assert statements != []                                  # worked out both times
    for n in range(MAX_ANSWERS + 10):                            # a flood of made-up values…
        client.get(PAGE.replace("in=en", f"in=x{n}"))
    statements.clear()
    client.get(PAGE)
    assert statements == []                                      # …flushed nothing
