"""A kiosk's ticket printed on a real TCP listener; a failing printer never costs the ticket."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from models import Branch, Device, PrintJob
from okenko.runtime import runtime

from ..api.helpers import KIOSK, issue, staff_headers
from ..printers.fake_printer import FakePrinter, closed_port


@pytest.fixture
def printer():
    fake = FakePrinter()
    yield fake
    fake.close()


def set_kiosk_printer(app, branch: str, address: str) -> None:
    with runtime(app).writer() as session, session.begin():
        kiosk = session.execute(select(Device).join(Device.branch).where(
            Device.kind == "kiosk", Branch.code == branch)).scalar_one()
        kiosk.printer = address


def jobs(app):
    with runtime(app).reader() as session:
        return session.execute(select(PrintJob.status, PrintJob.error, PrintJob.reprint).order_by(PrintJob.id)).all()


def test_kiosk_ticket_prints_on_its_printer(demo_app, printer):
    app = demo_app(printer=printer.address)
    response = issue(app.test_client(), service="residence", language="vi")
    assert response.status_code == 201
    assert response.json["print"] == {"status": "printed", "error": None, "reprint_allowed": False,
                                      "message": "Vui lòng lấy vé của bạn."}
    job = printer.wait_for_job()
    assert b"R-001" in job and b"\x1dv0" in job and b"\x1dV" in job   # number, QR raster, cut
    assert [j.status for j in jobs(app)] == ["printed"]


def test_refusing_printer_keeps_the_ticket_and_reprint_works_once_it_is_back(demo_app):
    port = closed_port()
    app = demo_app(printer=f"tcp://127.0.0.1:{port}")
    client = app.test_client()
    started = time.monotonic()
    response = issue(client, language="ar")
    assert time.monotonic() - started < 4
    assert response.status_code == 201 and response.json["number"] == "A-001"
    printed = response.json["print"]
    assert printed["status"] == "failed" and "refused" in printed["error"] and printed["reprint_allowed"]
    assert printed["message"].startswith("الطابعة لا تعمل")
    assert client.get(f"/api/v1/tickets/{response.json['token']}").json["status"] == "waiting"

    back = FakePrinter()
    try:
        set_kiosk_printer(app, "praha-iv", back.address)   # the kiosk's own printer beats the default
        again = client.post(f"/api/v1/tickets/{response.json['token']}/reprint", headers=KIOSK)
        assert again.status_code == 200 and again.json["status"] == "printed"
        assert b"A-001" in back.wait_for_job()
        refused = client.post(f"/api/v1/tickets/{response.json['token']}/reprint", headers=KIOSK)
        assert refused.status_code == 409 and refused.json["error"] == "reprint_not_allowed"
    finally:
        back.close()
    assert [(j.status, j.reprint) for j in jobs(app)] == [("failed", False), ("printed", True)]


def test_hanging_printer_costs_at_most_the_print_timeout(demo_app):
    silent = FakePrinter(mode="silent")
    try:
        app = demo_app(printer=silent.address, print_timeout_s=2.0)
        started = time.monotonic()
        response = issue(app.test_client())
        elapsed = time.monotonic() - started
        assert response.status_code == 201 and response.json["print"]["status"] == "failed"
        assert "did not answer" in response.json["print"]["error"]
        assert elapsed < 4
    finally:
        silent.close()


def test_a_ticket_that_printed_cannot_be_reprinted_from_the_kiosk(demo_app, printer):
    client = demo_app(printer=printer.address).test_client()
    token = issue(client).json["token"]
    assert client.post(f"/api/v1/tickets/{token}/reprint", headers=KIOSK).status_code == 409


def test_staff_issued_tickets_are_not_printed_on_a_kiosk(demo_app, printer):
    client = demo_app(printer=printer.address).test_client()
    response = issue(client, headers=staff_headers(client, "receptionist"))
    assert response.json["print"]["status"] == "skipped"


def test_printer_states_for_admin_and_health(demo_app, printer):
    app = demo_app(printer=printer.address)
    client = app.test_client()
    assert client.get("/healthz").json["details"]["printers"]["praha-iv/kiosk-1"] == "unknown"
    states = client.get("/api/v1/printers", headers=staff_headers(client, "coordinator"))
    assert states.status_code == 200
    assert {s["state"] for s in states.json} == {"online"} and len(states.json) == 3
    assert client.get("/healthz").json["details"]["printers"]["praha-iv/kiosk-1"] == "online"
    assert client.get("/api/v1/printers", headers=staff_headers(client, "counsellor")).status_code == 403
