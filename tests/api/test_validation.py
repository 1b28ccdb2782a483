"""Bad input gets a clear 4xx JSON error, never a 500."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .helpers import KIOSK, counter_id, issue, staff_headers

GOOD = {"branch": "praha-iv", "service": "assistance", "language": "vi"}


def post(client, body, headers=KIOSK, content_type="application/json", path="/api/v1/tickets"):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(path, data=data, headers=headers, content_type=content_type)


@pytest.mark.parametrize(("body", "status", "error", "phrase"), [
    ("{not json", 400, "malformed_json", "not valid JSON"),
    ("[1, 2]", 422, "invalid_request", "must be a JSON object"),
    ('"just a string"', 422, "invalid_request", "must be a JSON object"),
    ({}, 422, "invalid_request", "branch: Field required"),
    (GOOD | {"language": 5}, 422, "invalid_request", "language: Input should be a valid string"),
    (GOOD | {"branch": ["praha-iv"]}, 422, "invalid_request", "branch"),
    (GOOD | {"priority": "1"}, 422, "invalid_request", "priority"),
    (GOOD | {"colour": "red"}, 422, "invalid_request", "colour: Extra inputs are not permitted"),
    (GOOD | {"branch": "praha iv; drop"}, 422, "invalid_request", "branch: String should match pattern"),
    (GOOD | {"language": "x" * 50}, 422, "invalid_request", "language"),
    # A kiosk belongs to one branch: another branch code is refused before it is looked up.
    (GOOD | {"branch": "nowhere"}, 403, "forbidden", "not a kiosk of branch 'nowhere'"),
    (GOOD | {"service": "astrology"}, 404, "not_found", "has no service 'astrology'"),
    (GOOD | {"language": "de"}, 422, "invalid_input", "language 'de' is not offered"),
])
def test_bad_ticket_bodies(client, body, status, error, phrase):
    response = post(client, body)
    assert response.status_code == status, response.json
    assert response.json["error"] == error
    assert phrase in response.json["message"]


def test_unknown_branch_for_staff_is_404(client):
    response = post(client, GOOD | {"branch": "nowhere"}, headers=staff_headers(client, "receptionist"))
    assert response.status_code == 404 and response.json["message"] == "unknown branch 'nowhere'"


def test_wrong_content_type_is_415(client):
    response = post(client, "branch=praha-iv", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.json["error"] == "unsupported_media_type"


def test_oversize_body_is_413_and_the_server_keeps_serving(client):
    response = post(client, {"branch": "x" * 200_000, "service": "a", "language": "cs"})
    assert response.status_code == 413 and response.is_json
    assert issue(client).status_code == 201


def test_unknown_routes_and_methods_are_json(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json["error"] == "not_found"
    wrong_method = client.delete("/api/v1/branches")
    assert wrong_method.status_code == 405 and wrong_method.is_json


def test_path_parameters_of_the_wrong_type_are_404(client):
    staff = staff_headers(client, "counsellor")
    assert client.post("/api/v1/counters/abc/call-next", headers=staff).status_code == 404
    assert client.post("/api/v1/tickets/-1/start", headers=staff).status_code == 404


def test_bad_bodies_on_staff_routes(app, client):
    staff = staff_headers(client, "counsellor")
    desk1 = counter_id(app, "praha-iv", "Přepážka 1")
    bad_open = client.post(f"/api/v1/counters/{desk1}/open", json={"languages": "cs"}, headers=staff)
    assert bad_open.status_code == 422
    ticket = issue(client).json
    client.post(f"/api/v1/counters/{desk1}/open", headers=staff)
    client.post(f"/api/v1/counters/{desk1}/call-next", headers=staff)
    client.post(f"/api/v1/tickets/{ticket['id']}/start", headers=staff)
    bad_topics = client.post(f"/api/v1/tickets/{ticket['id']}/finish", json={"topics": ["gossip"]}, headers=staff)
    assert bad_topics.status_code == 422 and "unknown topic" in bad_topics.json["message"]
    bad_transfer = client.post(f"/api/v1/tickets/{ticket['id']}/transfer", json={"counter": "two"}, headers=staff)
    assert bad_transfer.status_code == 422
    assert client.get(f"/api/v1/tickets/{ticket['token']}").json["status"] == "serving"  # nothing lost


@pytest.fixture
def admin_headers(client):
    return staff_headers(client, "admin")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)
ticket_like = st.fixed_dictionaries({}, optional={
    "branch": json_values | st.sampled_from(["praha-iv", "praha-i", ""]),
    "service": json_values | st.sampled_from(["assistance", "legal", "interpreting"]),
    "language": json_values | st.sampled_from(["vi", "ar", "cs", "zz"]),
    "priority": json_values | st.integers(-5, 20),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=json_values | ticket_like, path=st.sampled_from([
    "/api/v1/tickets", "/api/v1/auth/token", "/api/v1/counters/1/open", "/api/v1/counters/1/call-next",
    "/api/v1/tickets/1/transfer", "/api/v1/tickets/1/finish", "/api/v1/tickets/1/cancel"]))
def test_no_body_makes_the_server_fail(client, admin_headers, body, path):
    response = post(client, body, path=path, headers=KIOSK if path == "/api/v1/tickets" else admin_headers)
    assert response.status_code < 500, (path, body, response.json)
    assert response.is_json or response.status_code in (200, 201, 204)
