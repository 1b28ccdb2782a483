"""The ticket and counter API: happy paths, auth and roles, illegal transitions."""
from __future__ import annotations

import pytest

from models import DeviceKind

from .helpers import KIOSK, add_device, counter_id, issue, staff_headers


def test_kiosk_issues_a_ticket(client):
    response = issue(client, service="residence", language="vi")
    assert response.status_code == 201
    body = response.json
    assert body["number"] == "R-001" and body["status"] == "waiting" and body["language"] == "vi"
    assert body["branch"] == "praha-iv" and body["service"] == "residence"
    assert body["position"] == 1 and body["people_ahead"] == 0
    assert body["status_url"] == f"https://okenko.example/t/{body['token']}"
    assert len(body["token"]) >= 22  # ≥128 bits of randomness, URL-safe
    assert {"id", "issued_at", "estimated_wait_minutes", "service_names"} <= set(body)


def test_anyone_with_the_token_sees_the_status_but_nothing_more(client):
    token = issue(client).json["token"]
    response = client.get(f"/api/v1/tickets/{token}")
    assert response.status_code == 200
    assert set(response.json) == {"number", "status", "branch", "service", "service_names", "language",
                                  "position", "people_ahead", "estimated_wait_minutes", "counter",
                                  "issued_at", "called_at", "texts"}
    assert client.get("/api/v1/tickets/not-a-token").status_code == 404
    assert client.get("/api/v1/tickets/" + "x" * 500).status_code == 404


def test_issuing_needs_a_kiosk_of_that_branch_or_staff(app, client):
    assert issue(client, headers={}).status_code == 401
    assert issue(client, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert issue(client, headers={"Authorization": "Basic abc"}).status_code == 401
    add_device(app, "praha-iii", DeviceKind.KIOSK, "kiosk-of-praha-iii-token")
    add_device(app, "praha-iv", DeviceKind.DISPLAY, "display-of-praha-iv-token")
    other_branch = {"Authorization": "Bearer kiosk-of-praha-iii-token"}
    assert issue(client, branch="praha-iii", headers=other_branch).status_code == 201
    refused = issue(client, branch="praha-iv", headers=other_branch)
    assert refused.status_code == 403 and "not a kiosk of branch 'praha-iv'" in refused.json["message"]
    assert issue(client, headers={"Authorization": "Bearer display-of-praha-iv-token"}).status_code == 403


def test_only_staff_issue_priority_tickets(client):
    assert issue(client, priority=1).status_code == 403
    desk = staff_headers(client, "receptionist")
    first = issue(client, headers=desk)
    urgent = issue(client, headers=desk, priority=2)
    assert urgent.status_code == 201 and urgent.json["position"] == 1
    assert client.get(f"/api/v1/tickets/{first.json['token']}").json["position"] == 2


def test_counsellor_flow_call_start_transfer_finish(app, client):
    staff = staff_headers(client, "counsellor")
    desk1 = counter_id(app, "praha-iv", "Přepážka 1")
    interpreters = counter_id(app, "praha-iv", "Tlumočníci")
    assert client.post(f"/api/v1/counters/{desk1}/call-next", headers=staff).status_code == 409  # closed
    opened = client.post(f"/api/v1/counters/{desk1}/open", json={"languages": ["cs", "ru"]}, headers=staff)
    assert opened.status_code == 200 and opened.json["state"] == "open"
    assert client.post(f"/api/v1/counters/{desk1}/call-next", headers=staff).status_code == 204
    ticket = issue(client, language="mn").json
    called = client.post(f"/api/v1/counters/{desk1}/call-next", headers=staff)
    assert called.status_code == 200
    assert called.json["number"] == ticket["number"] and called.json["counter"]["name"] == "Přepážka 1"
    status = client.get(f"/api/v1/tickets/{ticket['token']}").json
    assert status["status"] == "called" and status["counter"] == {"id": desk1, "name": "Přepážka 1", "number": 1,
                                                                 "names": {}}
    tid = ticket["id"]
    assert client.post(f"/api/v1/tickets/{tid}/recall", headers=staff).status_code == 200
    assert client.post(f"/api/v1/tickets/{tid}/start", headers=staff).json["status"] == "serving"
    moved = client.post(f"/api/v1/tickets/{tid}/transfer", json={"service": "interpreting",
                                                                 "counter": interpreters}, headers=staff)
    assert moved.status_code == 200
    assert moved.json["service"] == "interpreting" and moved.json["status"] == "waiting"
    interpreter = staff_headers(client, "interpreter-mn")
    client.post(f"/api/v1/counters/{interpreters}/open", json={"languages": ["mn"]}, headers=interpreter)
    assert client.post(f"/api/v1/counters/{interpreters}/call-next", headers=interpreter).json["id"] == tid
    client.post(f"/api/v1/tickets/{tid}/start", headers=interpreter)
    done = client.post(f"/api/v1/tickets/{tid}/finish", json={"topics": ["residence_status"]}, headers=interpreter)
    assert done.status_code == 200 and done.json["status"] == "done"


def test_illegal_transition_is_409_with_a_message(client):
    staff = staff_headers(client, "counsellor")
    ticket = issue(client).json
    response = client.post(f"/api/v1/tickets/{ticket['id']}/finish", headers=staff)
    assert response.status_code == 409
    assert response.json["error"] == "illegal_transition"
    assert response.json["message"] == "cannot finish a ticket that is waiting"


def test_ticket_actions_and_roles(client):
    ticket = issue(client).json
    tid = ticket["id"]
    assert client.post(f"/api/v1/tickets/{tid}/start").status_code == 401
    assert client.post(f"/api/v1/tickets/{tid}/start", headers=KIOSK).status_code == 401
    desk = staff_headers(client, "receptionist")
    assert client.post(f"/api/v1/tickets/{tid}/start", headers=desk).status_code == 403
    unknown = client.post(f"/api/v1/tickets/{tid}/teleport", headers=desk)
    assert unknown.status_code == 404 and "recall" in unknown.json["message"]
    cancelled = client.post(f"/api/v1/tickets/{tid}/cancel", json={"reason": "left"}, headers=desk)
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert client.post("/api/v1/tickets/999999/cancel", headers=desk).status_code == 404


def test_counter_routes_refuse_receptionists_and_devices(app, client):
    desk1 = counter_id(app, "praha-iv", "Přepážka 1")
    desk = staff_headers(client, "receptionist")
    assert client.post(f"/api/v1/counters/{desk1}/open", headers=desk).status_code == 403
    assert client.post(f"/api/v1/counters/{desk1}/open", headers=KIOSK).status_code == 401
    assert client.post("/api/v1/counters/99999/open", headers=staff_headers(client, "admin")).status_code == 404


def test_taking_an_occupied_counter_asks_to_confirm(app, client):
    desk1 = counter_id(app, "praha-iv", "Přepážka 1")
    client.post(f"/api/v1/counters/{desk1}/open", headers=staff_headers(client, "counsellor"))
    lawyer = staff_headers(client, "lawyer")
    taken = client.post(f"/api/v1/counters/{desk1}/open", headers=lawyer)
    assert taken.status_code == 409 and "taken by" in taken.json["message"]
    assert client.post(f"/api/v1/counters/{desk1}/open", json={"force": True}, headers=lawyer).status_code == 200


def test_pause_resume_close(app, client):
    staff = staff_headers(client, "counsellor")
    desk1 = counter_id(app, "praha-iv", "Přepážka 1")
    client.post(f"/api/v1/counters/{desk1}/open", headers=staff)
    assert client.post(f"/api/v1/counters/{desk1}/pause", headers=staff).json["state"] == "paused"
    assert client.post(f"/api/v1/counters/{desk1}/pause", headers=staff).status_code == 409
    assert client.post(f"/api/v1/counters/{desk1}/resume", headers=staff).json["state"] == "open"
    assert client.post(f"/api/v1/counters/{desk1}/close", headers=staff).json["state"] == "closed"


def test_snapshot_for_displays(app, client):
    staff = staff_headers(client, "counsellor")
    desk1 = counter_id(app, "praha-iv", "Přepážka 1")
    client.post(f"/api/v1/counters/{desk1}/open", headers=staff)
    ticket = issue(client).json
    issue(client)
    client.post(f"/api/v1/counters/{desk1}/call-next", headers=staff)
    snap = client.get("/api/v1/branches/praha-iv/snapshot")
    assert snap.status_code == 200
    assert snap.json["seq"] >= 4
    assert snap.json["current"][0]["number"] == ticket["number"]
    assert snap.json["current"][0]["counter"]["name"] == "Přepážka 1"
    assistance = next(s for s in snap.json["services"] if s["code"] == "assistance")
    assert assistance["waiting"] == 1 and assistance["estimated_wait_minutes"] == 8
    assert "token" not in str(snap.json)
    assert client.get("/api/v1/branches/nope/snapshot").status_code == 404


def test_branches_directory(client):
    branches = {b["code"]: b for b in client.get("/api/v1/branches").json}
    assert set(branches) == {"praha-iv", "praha-iii", "praha-i"}
    konevova = branches["praha-iv"]
    assert konevova["names"]["cs"] == "Praha IV – Koněvova"
    assert [s["code"] for s in konevova["services"]] == ["assistance", "residence", "legal", "interpreting"]
    assert [s["prefix"] for s in konevova["services"]] == ["A", "R", "L", "I"]
    assert set(konevova["languages"]) == {"cs", "ru", "vi", "mn", "en", "fr", "uk", "ar"}
    desk2 = next(c for c in konevova["counters"] if c["name"] == "Přepážka 2")
    assert desk2["services"] == ["assistance", "residence"] and isinstance(desk2["id"], int)


@pytest.mark.parametrize("username", ["admin", "coordinator", "counsellor", "interpreter-vi", "receptionist"])
def test_every_demo_role_can_sign_in(client, username):
    assert staff_headers(client, username)["Authorization"].startswith("Bearer ")
