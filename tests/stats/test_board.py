"""GET /api/v1/board: what the coordinator on duty sees, with a known morning at Koněvova."""
from __future__ import annotations

from sqlalchemy import select

from models import Device
from okenko.runtime import runtime

from ..api.helpers import KIOSK, counter_id, issue, staff_headers
from ..conftest import freeze
from ..counter.test_staff_pages import sign_in


def test_the_board_of_a_known_morning(app, client):
    clock = freeze(app)                                    # 09:30 in Prague
    counsellor = staff_headers(client, "counsellor")
    desk = counter_id(app, "praha-iv", "Přepážka 1")
    client.post(f"/api/v1/counters/{desk}/open", headers=counsellor)
    first = issue(client, "assistance", "vi").json
    issue(client, "assistance", "ru")
    issue(client, "residence", "uk")
    clock.advance(minutes=5)
    issue(client, "assistance", "mn")
    client.post(f"/api/v1/counters/{desk}/call-next", headers=counsellor)
    client.post(f"/api/v1/tickets/{first['id']}/interpreter", headers=counsellor)
    client.post("/api/v1/appointments", json={"branch": "praha-iv", "service": "residence", "language": "vi",
                                              "start": "2026-11-23T09:00:00+00:00"})
    with runtime(app).writer() as session, session.begin():
        kiosk = session.execute(select(Device).join(Device.branch).where(Device.kind == "kiosk")
                                .order_by(Device.id)).scalars().first()
        kiosk.printer_state, kiosk.printer_checked_at = "paper_out", clock()
    clock.advance(minutes=2)

    response = client.get("/api/v1/board", headers=staff_headers(client, "coordinator"))
    assert response.status_code == 200
    board = {b["code"]: b for b in response.json["branches"]}
    assert list(board) == ["praha-i", "praha-iii", "praha-iv"]
    iv = board["praha-iv"]
    assert [(s["code"], s["waiting"], s["longest_wait_s"]) for s in iv["services"]] == [
        ("assistance", 2, 420), ("residence", 1, 420), ("legal", 0, None), ("interpreting", 0, None)]
    assert [(c["name"], c["state"], c["holder"]) for c in iv["counters"]] == [
        ("Přepážka 1", "open", "Pobytová poradkyně"), ("Přepážka 2", "closed", None), ("Přepážka 3", "closed", None),
        ("Tlumočníci", "closed", None)]
    assert iv["interpreter_requests"] == [{"language": "vi", "counter": "Přepážka 1", "waiting_s": 120}]
    assert iv["appointments_next_hour"] == [{"start": "2026-11-23T09:00:00+00:00", "language": "vi",
                                             "status": "booked", "service": "residence"}]
    kiosks = [d for d in board["praha-i"]["devices"] + iv["devices"] if d["printer_alert"]]
    # A probe of its printer is no sign of life from the kiosk itself (praha-i's issued nothing).
    assert [(d["kind"], d["printer_alert"], d["online"]) for d in kiosks] == [("kiosk", "paper_out", False)]
    assert [(d["kind"], d["online"]) for d in iv["devices"]] == [("display", False), ("kiosk", True)]


def test_board_is_for_coordinators_and_admins(client):
    assert client.get("/api/v1/board", headers=staff_headers(client, "counsellor")).status_code == 403
    assert client.get("/api/v1/board", headers=staff_headers(client, "admin")).status_code == 200
    sign_in(client, "receptionist")
    assert client.get("/board").status_code == 403


def test_devices_are_online_while_their_pages_say_so(app, client):
    clock = freeze(app)
    coordinator = staff_headers(client, "coordinator")

    def praha_iii():
        branches = client.get("/api/v1/board", headers=coordinator).json["branches"]
        devices = next(b for b in branches if b["code"] == "praha-iii")["devices"]
        return sorted((d["kind"], d["online"]) for d in devices)

    assert praha_iii() == [("display", False), ("kiosk", False)]
    with runtime(app).writer() as session, session.begin():       # the server probed its printer
        for device in session.execute(select(Device).join(Device.branch)).scalars():
            device.printer_state, device.printer_checked_at = "online", clock()
    assert praha_iii() == [("display", False), ("kiosk", False)]
    heartbeat = client.post("/api/v1/kiosk/heartbeat", json={"branch": "praha-iii"}, headers=KIOSK)
    assert heartbeat.status_code == 204
    assert praha_iii() == [("display", False), ("kiosk", True)]
    clock.advance(minutes=2, seconds=59)
    assert praha_iii() == [("display", False), ("kiosk", True)]
    clock.advance(seconds=2)
    assert praha_iii() == [("display", False), ("kiosk", False)]


def test_a_heartbeat_names_the_kiosks_own_branch(client):
    assert client.post("/api/v1/kiosk/heartbeat", json={"branch": "brno"}, headers=KIOSK).status_code == 403
    assert client.post("/api/v1/kiosk/heartbeat", json={"branch": "praha-iii"}).status_code == 401


def test_the_board_is_not_rebuilt_while_nobody_watches(app, demo_app):
    relay = app.extensions["okenko.board"]
    assert relay._watched() is False                     # one process, no /board client
    shared = demo_app(message_queue="redis://127.0.0.1:6379")
    # Several processes: boards elsewhere hear of this process's events only from this relay.
    assert shared.extensions["okenko.board"]._watched() is True
