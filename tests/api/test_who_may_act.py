"""Who may act: only the person holding a counter acts there (others 409 counter_taken naming the
holder; taking over stays possible, recorded); staff act only at the branches they work at (403)."""
from __future__ import annotations

import pytest
import socketio
from sqlalchemy import select

from models import Branch, Event, Staff
from okenko.runtime import runtime

from .helpers import KIOSK, counter_id, issue, staff_headers


@pytest.fixture
def desks(app):
    """Counsellor holds Přepážka 1 with a called ticket; the Vietnamese interpreter holds Tlumočníci."""
    client = app.test_client()
    counsellor, interpreter = staff_headers(client, "counsellor"), staff_headers(client, "interpreter-vi")
    desk1, interp = counter_id(app, "praha-iv", "Přepážka 1"), counter_id(app, "praha-iv", "Tlumočníci")
    assert client.post(f"/api/v1/counters/{desk1}/open", headers=counsellor).status_code == 200
    assert client.post(f"/api/v1/counters/{interp}/open", headers=interpreter).status_code == 200
    issue(client, service="assistance")
    issue(client, service="assistance")
    called = client.post(f"/api/v1/counters/{desk1}/call-next", headers=counsellor).json
    return client, counsellor, interpreter, desk1, called


def assert_taken(response):
    assert response.status_code == 409, response.json
    assert response.json["error"] == "counter_taken"
    assert response.json["details"]["holder"] == "counsellor"
    assert "Pobytová poradkyně" in response.json["message"]


@pytest.mark.parametrize("action", ["call-next", "pause", "close"])
def test_nobody_else_acts_at_a_held_counter(desks, action):
    client, _counsellor, interpreter, desk1, _called = desks
    assert_taken(client.post(f"/api/v1/counters/{desk1}/{action}", headers=interpreter))


@pytest.mark.parametrize("action", ["recall", "start", "no-show", "transfer"])
def test_nobody_else_acts_on_the_ticket_at_a_held_counter(desks, action):
    client, _counsellor, interpreter, _desk1, called = desks
    body = {"service": "residence"} if action == "transfer" else None
    assert_taken(client.post(f"/api/v1/tickets/{called['id']}/{action}", headers=interpreter, json=body))


def test_an_admin_is_refused_too_but_may_take_over(app, desks):
    client, counsellor, _interpreter, desk1, called = desks
    admin = staff_headers(client, "admin")
    assert_taken(client.post(f"/api/v1/tickets/{called['id']}/no-show", headers=admin))
    plain = client.post(f"/api/v1/counters/{desk1}/open", headers=admin)
    assert plain.status_code == 409
    taken = client.post(f"/api/v1/counters/{desk1}/open", headers=admin, json={"force": True})
    assert taken.status_code == 200
    assert client.post(f"/api/v1/tickets/{called['id']}/no-show", headers=admin).status_code == 200
    refused = client.post(f"/api/v1/counters/{desk1}/pause", headers=counsellor)   # it is no longer hers
    assert refused.status_code == 409 and refused.json["details"]["holder"] == "admin"
    with runtime(app).reader() as session:
        admin_id = session.execute(select(Staff.id).where(Staff.username == "admin")).scalar_one()
        counsellor_id = session.execute(select(Staff.id).where(Staff.username == "counsellor")).scalar_one()
        opened = session.execute(select(Event.staff_id, Event.data).where(Event.type == "counter.opened",
                                 Event.counter_id == desk1).order_by(Event.seq.desc())).first()
    assert opened.staff_id == admin_id
    assert opened.data["taken_over"] is True and opened.data["taken_from"] == counsellor_id


def test_the_holder_acts(desks):
    client, counsellor, _interpreter, desk1, called = desks
    assert client.post(f"/api/v1/tickets/{called['id']}/recall", headers=counsellor).status_code == 200
    assert client.post(f"/api/v1/tickets/{called['id']}/start", headers=counsellor).status_code == 200
    assert client.post(f"/api/v1/tickets/{called['id']}/finish", headers=counsellor).status_code == 200
    assert client.post(f"/api/v1/counters/{desk1}/pause", headers=counsellor).status_code == 200


def test_cancel_belongs_to_the_holder_or_the_reception_desk(desks):
    client, counsellor, interpreter, _desk1, called = desks
    waiting = issue(client, service="residence").json
    assert_taken(client.post(f"/api/v1/tickets/{called['id']}/cancel", headers=interpreter))
    elsewhere = client.post(f"/api/v1/tickets/{waiting['id']}/cancel", headers=interpreter)
    assert elsewhere.status_code == 409 and elsewhere.json["error"] == "not_your_ticket"
    reception = staff_headers(client, "receptionist")
    assert client.post(f"/api/v1/tickets/{waiting['id']}/cancel", headers=reception).status_code == 200
    assert client.post(f"/api/v1/tickets/{called['id']}/cancel", headers=counsellor).status_code == 200


# ---- branches ---------------------------------------------------------------------------------------

def work_only_at(app, username: str, *codes: str) -> None:
    with runtime(app).writer() as session, session.begin():
        staff = session.execute(select(Staff).where(Staff.username == username)).scalar_one()
        staff.branches = list(session.execute(select(Branch).where(Branch.code.in_(codes))).scalars())


def branch_routes(app, client, branch: str):
    """(method, path, json) of everything bound to `branch`, for a counter role."""
    desk = counter_id(app, branch, "Přepážka 1")
    ticket = issue(client, branch=branch, service="assistance").json
    return [("GET", f"/api/v1/counters/{desk}", None), ("POST", f"/api/v1/counters/{desk}/open", None),
            ("POST", f"/api/v1/counters/{desk}/call-next", None),
            ("POST", f"/api/v1/tickets/{ticket['id']}/cancel", None),
            ("GET", f"/api/v1/branches/{branch}/tickets", None),
            ("GET", f"/api/v1/branches/{branch}/appointments?date=2026-11-24", None),
            ("GET", f"/api/v1/interpreter-requests?branch={branch}", None),
            ("POST", "/api/v1/tickets", {"branch": branch, "service": "assistance", "language": "vi"}),
            ("POST", f"/api/v1/tickets/{ticket['token']}/reprint", None)]


def test_staff_get_403_at_a_branch_they_do_not_work_at(app):
    client = app.test_client()
    lawyer = staff_headers(client, "lawyer")  # the demo's lawyer works at praha-iv only
    for method, path, body in branch_routes(app, client, "praha-iii"):
        response = client.open(path, method=method, headers=lawyer, json=body)
        assert response.status_code == 403, (path, response.json)
        assert response.json["error"] == "wrong_branch"
    at_home = branch_routes(app, client, "praha-iv")
    for method, path, body in at_home[:2] + at_home[4:7]:
        assert client.open(path, method=method, headers=lawyer, json=body).status_code == 200, path


def test_coordinators_and_admins_work_everywhere(app):
    client = app.test_client()
    work_only_at(app, "coordinator")  # no branch listed: the role is enough
    coordinator = staff_headers(client, "coordinator")
    assert client.get("/api/v1/branches/praha-i/tickets", headers=coordinator).status_code == 200


def test_an_interpreter_of_another_branch_cannot_see_or_accept_its_requests(app, desks):
    client, counsellor, _interpreter, _desk1, called = desks
    work_only_at(app, "interpreter-vi", "praha-i")
    elsewhere = staff_headers(client, "interpreter-vi")
    asked = client.post(f"/api/v1/tickets/{called['id']}/interpreter", headers=counsellor).json
    assert client.get("/api/v1/interpreter-requests?branch=praha-iv", headers=elsewhere).status_code == 403
    refused = client.post(f"/api/v1/interpreter-requests/{asked['id']}/accept", headers=elsewhere)
    assert refused.status_code == 403 and refused.json["error"] == "wrong_branch"


def test_console_pages_of_another_branch_are_forbidden(app):
    from ..counter.test_staff_pages import sign_in
    client = app.test_client()
    sign_in(client, "lawyer")
    assert client.get(f"/counter/{counter_id(app, 'praha-iii', 'Přepážka 1')}").status_code == 403
    assert client.get(f"/counter/{counter_id(app, 'praha-iv', 'Přepážka 1')}").status_code == 200
    listing = client.get("/counter").get_data(as_text=True)
    assert "Praha IV" in listing and "Praha III" not in listing
    assert client.get("/appointments?branch=praha-iii").status_code == 403
    assert "praha-iii" not in client.get("/reception").get_data(as_text=True)


def test_counter_socket_rooms_of_another_branch_are_refused(live_server):
    server = live_server()
    client = server.app.test_client()
    token = staff_headers(client, "lawyer")["Authorization"].removeprefix("Bearer ")
    foreign, home = counter_id(server.app, "praha-iii", "Přepážka 1"), counter_id(server.app, "praha-iv", "Přepážka 1")
    refused = socketio.Client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        refused.connect(server.url, namespaces=["/counter"], auth={"token": token, "counter": foreign},
                        transports=["websocket"], wait_timeout=5)
    assert not refused.connected
    accepted = socketio.Client()
    accepted.connect(server.url, namespaces=["/counter"], auth={"token": token, "counter": home},
                     transports=["websocket"], wait_timeout=5)
    assert accepted.connected
    accepted.disconnect()


def test_kiosks_are_unaffected(client):
    assert issue(client, headers=KIOSK).status_code == 201
