"""Devices against a live server: a display's socket marks it seen, and revoking it closes the
socket at once; it cannot connect again."""
from __future__ import annotations

import time

import pytest
import socketio

from ..api.helpers import staff_headers
from ..display.test_realtime import display


def wait_until(condition, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_revoking_a_display_closes_its_socket(live_server):
    server = live_server()
    client = server.app.test_client()
    coordinator = staff_headers(client, "coordinator")
    made = client.post("/api/v1/branches/praha-i/devices", json={"kind": "display", "name": "hall"},
                       headers=coordinator).json
    screen = display(server.url, "praha-i", made["token"])
    try:
        screen.next("snapshot")
        seen = next(d for d in client.get("/api/v1/branches/praha-i/devices", headers=coordinator).json
                    if d["id"] == made["id"])
        assert seen["last_seen_at"] is not None
        client.delete(f"/api/v1/branches/praha-i/devices/{made['id']}", headers=coordinator)
        assert wait_until(lambda: not screen.client.connected)
    finally:
        screen.client.disconnect()
    with pytest.raises(socketio.exceptions.ConnectionError):
        display(server.url, "praha-i", made["token"])


def test_a_connected_display_stays_online_by_its_heartbeat(live_server, monkeypatch):
    from sqlalchemy import select, update

    from models import Device
    from okenko import devices
    from okenko.runtime import runtime

    monkeypatch.setattr(devices, "SEEN_EVERY_S", 0)         # every heartbeat is written
    server = live_server()
    run = runtime(server.app)
    screen = display(server.url, "praha-iii")
    try:
        screen.next("snapshot")
        with run.writer() as session, session.begin():
            session.execute(update(Device).where(Device.kind == "display").values(last_seen_at=None))
        screen.client.emit("heartbeat", namespace="/display")

        def seen():
            with run.reader() as session:
                return session.execute(select(Device.last_seen_at).join(Device.branch).where(
                    Device.kind == "display", Device.branch.has(code="praha-iii"))).scalar_one()
        assert wait_until(lambda: seen() is not None)
    finally:
        screen.client.disconnect()
