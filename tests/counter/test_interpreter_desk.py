"""A counter asks for an interpreter; one who speaks the language accepts; the time is recorded."""
from __future__ import annotations

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
