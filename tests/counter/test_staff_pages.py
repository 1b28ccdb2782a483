"""Staff sign-in, roles on every console route, CSRF on every form and session-authenticated call."""
from __future__ import annotations

import re

import pytest

from ..api.helpers import counter_id, issue
from ..conftest import DEMO_SECRET

USERS = {"admin": "admin", "coordinator": "coordinator", "counsellor": "counsellor",
         "interpreter": "interpreter-vi", "receptionist": "receptionist"}
COUNTER = {"admin", "coordinator", "counsellor", "interpreter"}
FRONT_DESK = COUNTER | {"receptionist"}


def csrf_of(client, path="/staff/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def sign_in(client, username: str) -> str:
    token = csrf_of(client)
    response = client.post("/staff/login", data={"username": username, "password": DEMO_SECRET, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return csrf_of(client, "/staff/login")


def routes(app):
    """(method, path, roles allowed) for every staff page and the staff API they use."""
    desk = counter_id(app, "praha-iv", "Přepážka 3")
    return [("GET", "/counter", COUNTER), ("GET", f"/counter/{desk}", COUNTER),
            ("POST", f"/counter/{desk}/take", COUNTER), ("GET", f"/api/v1/counters/{desk}", COUNTER),
            ("GET", "/api/v1/interpreter-requests?branch=praha-iv", COUNTER),
            ("GET", "/reception", FRONT_DESK), ("GET", "/api/v1/branches/praha-iv/tickets", FRONT_DESK),
            ("GET", "/api/v1/printers", {"admin", "coordinator", "receptionist"}),
            ("GET", "/appointments", FRONT_DESK), ("GET", "/appointments?branch=praha-iii&date=2026-11-24", FRONT_DESK),
            ("GET", "/api/v1/branches/praha-iv/appointments?date=2026-11-24", FRONT_DESK),
            ("POST", "/appointments/ACDEFHJK/cancel", FRONT_DESK)]


def test_anonymous_visitors_are_sent_to_sign_in(app):
    client = app.test_client()
    for method, path, _roles in routes(app):
        response = client.open(path, method=method, data={"csrf_token": "x"} if method == "POST" else None)
        if path.startswith("/api/"):
            assert response.status_code == 401, path
        else:
            assert response.status_code in (302, 400), path      # no session: sign in (or no valid form)
            if response.status_code == 302:
                assert "/staff/login" in response.headers["Location"]


@pytest.mark.parametrize("role", list(USERS))
def test_role_by_route(app, role):
    client = app.test_client()
    token = sign_in(client, USERS[role])
    username = USERS[role]
    for method, path, roles in routes(app):
        response = client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
        if role in roles:
            assert response.status_code in (200, 302, 303), (username, path, response.status_code)
        else:
            assert response.status_code == 403, (username, path, response.status_code)


def test_forms_without_csrf_token_are_refused(app):
    client = app.test_client()
    assert client.post("/staff/login", data={"username": "admin", "password": DEMO_SECRET}).status_code == 400
    token = sign_in(client, "counsellor")
    desk = counter_id(app, "praha-iv", "Přepážka 1")
    assert client.post(f"/counter/{desk}/take", data={}).status_code == 400
    assert client.post("/staff/logout").status_code == 400
    # The console's API calls ride on the session: they need the token too.
    assert client.post(f"/api/v1/counters/{desk}/open", json={}).status_code == 400
    assert client.post(f"/api/v1/counters/{desk}/open", json={}, headers={"X-CSRFToken": token}).status_code == 200


def test_sign_in_failures_lock_the_account(app):
    client = app.test_client()
    for _ in range(5):
        token = csrf_of(client)
        response = client.post("/staff/login", data={"username": "lawyer", "password": "no", "csrf_token": token})
        assert response.status_code == 401 and "špatné heslo" in response.get_data(as_text=True)  # staff: Czech by default
    token = csrf_of(client)
    locked = client.post("/staff/login", data={"username": "lawyer", "password": DEMO_SECRET, "csrf_token": token})
    assert locked.status_code == 429


def test_sign_out(app):
    client = app.test_client()
    token = sign_in(client, "counsellor")
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/counter").status_code == 302


def test_taking_an_occupied_counter_asks_to_confirm(app):
    desk = counter_id(app, "praha-iv", "Přepážka 1")
    first, second = app.test_client(), app.test_client()
    token = sign_in(first, "counsellor")
    assert first.post(f"/counter/{desk}/take", data={"csrf_token": token, "languages": ["cs", "ru"]}) \
        .headers["Location"].endswith(f"/counter/{desk}")
    token2 = sign_in(second, "lawyer")
    asked = second.post(f"/counter/{desk}/take", data={"csrf_token": token2})
    assert f"confirm={desk}" in asked.headers["Location"]
    page = second.get(asked.headers["Location"]).get_data(as_text=True)
    assert "Take over" in page or "Převzít" in page
    taken = second.post(f"/counter/{desk}/take", data={"csrf_token": token2, "force": "yes"})
    assert taken.headers["Location"].endswith(f"/counter/{desk}")


def test_counter_list_speaks_the_staff_language(app):
    client = app.test_client()
    sign_in(client, "counsellor")
    page = client.get("/counter", headers={"Accept-Language": "cs"}).get_data(as_text=True)
    assert "Asistence, Pobytové poradenství" in page and "zavřeno" in page    # not "assistance, residence · closed"
    assert "assistance," not in page and "· closed" not in page


def test_console_overview(app):
    client = app.test_client()
    token = sign_in(client, "counsellor")
    desk = counter_id(app, "praha-iv", "Přepážka 1")
    client.post(f"/counter/{desk}/take", data={"csrf_token": token})
    issue(client, language="mn")
    client.post(f"/api/v1/counters/{desk}/call-next", headers={"X-CSRFToken": token})
    view = client.get(f"/api/v1/counters/{desk}").json
    assert view["counter"]["state"] == "open"
    assert view["current"]["number"] == "A-001" and view["current"]["language"] == "mn"
    assert [event["type"] for event in view["current"]["history"]] == ["ticket.issued", "ticket.called"]
    assert view["queues"][0]["waiting"] == 0


def test_reception_is_for_the_front_desk(app):
    for username, status in (("receptionist", 200), ("coordinator", 200), ("counsellor", 200)):
        client = app.test_client()
        sign_in(client, username)
        assert client.get("/reception").status_code == status, username
    assert app.test_client().get("/reception").status_code == 302


def test_reception_issues_for_a_vulnerable_visitor_cancels_and_prints(demo_app):
    from ..printers.fake_printer import FakePrinter
    printer = FakePrinter()
    try:
        app = demo_app(printer=printer.address)
        client = app.test_client()
        token = sign_in(client, "receptionist")
        csrf = {"X-CSRFToken": token}
        plain = issue(client, headers=csrf)
        urgent = issue(client, headers=csrf, priority=1)
        assert urgent.status_code == 201 and urgent.json["position"] == 1
        listed = client.get("/api/v1/branches/praha-iv/tickets").json
        assert [t["number"] for t in listed] == [plain.json["number"], urgent.json["number"]]
        printed = client.post(f"/api/v1/tickets/{urgent.json['token']}/reprint", headers=csrf)
        assert printed.json["status"] == "printed" and urgent.json["number"].encode() in printer.wait_for_job()
        assert client.post(f"/api/v1/tickets/{plain.json['id']}/cancel", json={"reason": "left"},
                           headers=csrf).json["status"] == "cancelled"
        assert [t["number"] for t in client.get("/api/v1/branches/praha-iv/tickets").json] == [urgent.json["number"]]
    finally:
        printer.close()
