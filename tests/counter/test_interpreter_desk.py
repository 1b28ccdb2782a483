"""A counter asks for an interpreter; one who speaks the language accepts; the time is recorded."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Event
from okenko.runtime import runtime

from ..api.helpers import counter_id, issue, staff_headers


def test_request_accept_finish(app):
    client = app.test_client()
    counsellor = staff_headers(client, "counsellor")
    desk = counter_id(app, "praha-iv", "Přepážka 1")
    client.post(f"/api/v1/counters/{desk}/open", headers=counsellor)
    ticket = issue(client, language="vi").json
    early = client.post(f"/api/v1/tickets/{ticket['id']}/interpreter", headers=counsellor)
    assert early.status_code == 409                                 # still waiting: nobody at a counter
    client.post(f"/api/v1/counters/{desk}/call-next", headers=counsellor)
    asked = client.post(f"/api/v1/tickets/{ticket['id']}/interpreter", headers=counsellor)
    assert asked.status_code == 201 and asked.json["language"] == "vi" and asked.json["status"] == "open"
    assert client.post(f"/api/v1/tickets/{ticket['id']}/interpreter", headers=counsellor).status_code == 409

    listed = lambda who: client.get("/api/v1/interpreter-requests?branch=praha-iv", headers=who).json  # noqa: E731
    russian, vietnamese = staff_headers(client, "interpreter-ru"), staff_headers(client, "interpreter-vi")
    assert listed(russian) == []                                    # not her language
    assert [r["ticket"] for r in listed(vietnamese)] == [ticket["number"]]
    accepted = client.post(f"/api/v1/interpreter-requests/{asked.json['id']}/accept", headers=vietnamese)
    assert accepted.status_code == 200 and accepted.json["interpreter"]["name"] == "Tlumočník (VI)"
    assert client.post(f"/api/v1/interpreter-requests/{asked.json['id']}/accept", headers=russian).status_code == 409
    coming = client.get(f"/api/v1/counters/{desk}", headers=counsellor).json["current"]["interpreter"]
    assert coming["status"] == "accepted" and coming["name"] == "Tlumočník (VI)"  # the counter sees who comes
    done = client.post(f"/api/v1/interpreter-requests/{asked.json['id']}/finish", headers=vietnamese)
    assert done.status_code == 200 and done.json["status"] == "done"
    with runtime(app).reader() as session:
        events = session.execute(select(Event.type, Event.data).where(Event.type.like("interpreter.%"))
                                 .order_by(Event.seq)).all()
    assert [e.type for e in events] == ["interpreter.requested", "interpreter.accepted", "interpreter.finished"]
    assert events[-1].data["interpreting_s"] >= 0 and events[-1].data["language"] == "vi"


def test_receptionists_cannot_use_the_desk(app):
    client = app.test_client()
    desk = staff_headers(client, "receptionist")
    assert client.get("/api/v1/interpreter-requests?branch=praha-iv", headers=desk).status_code == 403


def desk_with_a_vietnamese_client(app):
    client = app.test_client()
    counsellor = staff_headers(client, "counsellor")
    desk = counter_id(app, "praha-iv", "Přepážka 1")
    client.post(f"/api/v1/counters/{desk}/open", headers=counsellor)
    ticket = issue(client, language="vi").json
    client.post(f"/api/v1/counters/{desk}/call-next", headers=counsellor)
    asked = client.post(f"/api/v1/tickets/{ticket['id']}/interpreter", headers=counsellor).json
    return client, counsellor, ticket, asked


def test_only_an_interpreter_of_the_language_accepts(app):
    client, _counsellor, _ticket, asked = desk_with_a_vietnamese_client(app)
    for username in ("interpreter-ru", "counsellor", "admin"):  # speak no Vietnamese
        refused = client.post(f"/api/v1/interpreter-requests/{asked['id']}/accept", headers=staff_headers(client, username))
        assert refused.status_code == 409 and refused.json["error"] == "language_not_spoken", username
    vietnamese = staff_headers(client, "interpreter-vi")
    assert client.post(f"/api/v1/interpreter-requests/{asked['id']}/accept", headers=vietnamese).status_code == 200


def test_only_the_one_who_accepted_finishes(app):
    client, counsellor, _ticket, asked = desk_with_a_vietnamese_client(app)
    client.post(f"/api/v1/interpreter-requests/{asked['id']}/accept", headers=staff_headers(client, "interpreter-vi"))
    for other in (counsellor, staff_headers(client, "interpreter-ru"), staff_headers(client, "admin")):
        refused = client.post(f"/api/v1/interpreter-requests/{asked['id']}/finish", headers=other)
        assert refused.status_code == 409 and refused.json["error"] == "not_your_request"


def test_only_the_counter_holder_asks(app):
    client, _counsellor, ticket, asked = desk_with_a_vietnamese_client(app)
    client.post(f"/api/v1/interpreter-requests/{asked['id']}/accept", headers=staff_headers(client, "interpreter-vi"))
    other = client.post(f"/api/v1/tickets/{ticket['id']}/interpreter", headers=staff_headers(client, "lawyer"))
    assert other.status_code == 409 and other.json["error"] == "counter_taken"


@pytest.mark.parametrize("ending, expected", [
    ("no-show", "cancelled"), ("cancel", "cancelled"), ("transfer", "cancelled"), ("finish", "done")])
def test_a_request_closes_when_its_ticket_leaves_the_counter(app, ending, expected):
    client, counsellor, ticket, asked = desk_with_a_vietnamese_client(app)
    vietnamese = staff_headers(client, "interpreter-vi")
    if ending == "finish":
        client.post(f"/api/v1/interpreter-requests/{asked['id']}/accept", headers=vietnamese)
        client.post(f"/api/v1/tickets/{ticket['id']}/start", headers=counsellor)
    body = {"service": "residence"} if ending == "transfer" else None
    assert client.post(f"/api/v1/tickets/{ticket['id']}/{ending}", headers=counsellor, json=body).status_code == 200
    assert client.get("/api/v1/interpreter-requests?branch=praha-iv", headers=vietnamese).json == []
    with runtime(app).reader() as session:
        closed = session.execute(select(Event.data).where(Event.type == "interpreter.closed")).scalar_one()
    assert closed["request"] == asked["id"] and closed["status"] == expected
    assert closed["because"] == {"no-show": "ticket.no_show", "cancel": "ticket.cancelled",
                                 "transfer": "ticket.transferred", "finish": "ticket.finished"}[ending]


def test_interpreter_consoles_hear_that_a_request_closed(live_server):
    from ..display.test_realtime import Listener
    server = live_server()
    client = server.app.test_client()
    counsellor = staff_headers(client, "counsellor")
    token = staff_headers(client, "interpreter-vi")["Authorization"].removeprefix("Bearer ")
    desk, interp = counter_id(server.app, "praha-iv", "Přepážka 1"), counter_id(server.app, "praha-iv", "Tlumočníci")
    client.post(f"/api/v1/counters/{desk}/open", headers=counsellor)
    ticket = issue(client, language="vi").json
    client.post(f"/api/v1/counters/{desk}/call-next", headers=counsellor)
    console = Listener(server.url, "/counter", {"token": token, "counter": interp}, events=("interpreter",))
    try:
        client.post(f"/api/v1/tickets/{ticket['id']}/interpreter", headers=counsellor)
        assert console.next("interpreter")["type"] == "interpreter.requested"
        client.post(f"/api/v1/tickets/{ticket['id']}/no-show", headers=counsellor)
        closed = console.next("interpreter")
        assert closed["type"] == "interpreter.closed" and closed["data"]["status"] == "cancelled"
    finally:
        console.close()
