"""Input no column can hold, or no parser should chew on, gets a clean 4xx and stores nothing, on
SQLite and PostgreSQL alike (each of these was a 500 in the security review)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import Appointment, Ticket

from ..conftest import DEMO_SECRET, seeded_app

KIOSK = {"Authorization": f"Bearer {DEMO_SECRET}"}
BOOKING = {"branch": "praha-iv", "service": "residence", "language": "cs"}

ATTACKS = [  # (method, path, body or "staff", expected status)
    ("GET", "/api/v1/tickets/%00abc", None, 400),
    ("GET", "/t/%00", None, 400),
    ("GET", "/api/v1/branches/pr%00aha/snapshot", None, 400),
    ("GET", "/api/v1/branches/praha-iv/slots?service=resid%00ence&date=2026-11-25", None, 400),
    ("POST", "/api/v1/auth/token", {"username": "ad\u0000min", "password": "x"}, 400),
    ("POST", "/api/v1/tickets", {"branch": "praha-iv", "service": "assistance", "language": "cs\u0000"}, 400),
    ("POST", "/api/v1/appointments", BOOKING | {"start": "2026-11-25T09:00:00+01:00", "contact": "a\u0000b"}, 400),
    ("POST", "/api/v1/appointments", BOOKING | {"start": "9999-12-31T23:59:59+00:00"}, 422),
    ("POST", "/api/v1/appointments", BOOKING | {"start": "0001-01-01T00:00:00+00:00"}, 422),
    ("GET", "/api/v1/branches/praha-iv/appointments?date=9999-12-31", "staff", 422),
    ("GET", "/api/v1/branches/praha-iv/appointments?date=0001-01-01", "staff", 422),
    ("GET", "/api/v1/branches/praha-iv/slots?service=residence&date=9999-12-31", None, 422),
    ("POST", "/api/v1/counters/9223372036854775808/call-next", "staff", 404),
    ("POST", "/api/v1/counters/2147483648/call-next", "staff", 404),
    ("POST", "/api/v1/tickets/2147483648/start", "staff", 404),
]


@pytest.fixture
def client(any_db_url, tmp_path):
    return seeded_app(tmp_path, any_db_url).test_client()


def stored(client) -> tuple[int, int]:
    from okenko.runtime import runtime
    with client.application.app_context(), runtime().reader() as session:
        return (session.scalar(select(func.count()).select_from(Ticket)),
                session.scalar(select(func.count()).select_from(Appointment)))


def test_bad_input_gets_a_clean_4xx_and_stores_nothing(client):
    token = client.post("/api/v1/auth/token", json={"username": "admin", "password": DEMO_SECRET}).json["token"]
    before = stored(client)
    for method, path, body, expected in ATTACKS:
        headers = {"Authorization": f"Bearer {token}"} if body == "staff" else KIOSK
        response = client.open(path, method=method, headers=headers, json=body if isinstance(body, dict) else None)
        assert response.status_code == expected, (method, path, response.status_code, response.get_data(True)[:200])
        if path.startswith("/api/"):
            assert response.json["error"] and response.json["message"], path
    assert stored(client) == before


def test_a_deeply_nested_body_is_a_400(client):
    response = client.post("/api/v1/tickets", data="[" * 20000 + "]" * 20000, headers=KIOSK,
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json == {"error": "bad_request", "message": "the JSON body is nested too deeply"}


def test_a_wrong_method_keeps_its_allow_header(client):
    response = client.put("/api/v1/tickets", headers=KIOSK)
    assert response.status_code == 405 and response.json["error"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}


def test_the_openapi_document_names_429_503_and_required_query_parameters(client):
    document = client.get("/api/openapi.json").json
    slots = document["paths"]["/api/v1/branches/{code}/slots"]["get"]
    assert {"429", "503"} <= set(slots["responses"])
    required = {p["name"]: p["required"] for p in slots["parameters"] if p["in"] == "query"}
    assert required == {"service": True, "date": True}
