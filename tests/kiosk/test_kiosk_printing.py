"""A kiosk's ticket printed on a real TCP listener; a failing printer never costs the ticket."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from models import Branch, Device, Event, PrintJob
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
    assert runtime(app).printing.flush()   # a first print's outcome is written after the response
    with runtime(app).reader() as session:
        return session.execute(select(PrintJob.status, PrintJob.error, PrintJob.reprint).order_by(PrintJob.id)).all()


def test_kiosk_ticket_prints_on_its_printer(demo_app, printer):
    app = demo_app(printer=printer.address)
    response = issue(app.test_client(), service="residence", language="vi")
    assert response.status_code == 201
    assert response.json["print"] == {"status": "printed", "error": None, "reprint_allowed": False,
                                      "message": "Vui lòng lấy phiếu của bạn."}
    job = printer.wait_for_job()
    assert b"R-001" in job and b"\x1dv0" in job and b"\x1dV" in job   # number, QR raster, cut
    assert [j.status for j in jobs(app)] == ["printed"]


def test_print_outcomes_are_written_after_the_response_many_in_one_transaction(demo_app, printer, monkeypatch):
    """A kiosk tap has one write transaction on its path, the ticket's; the outcomes follow."""
    from sqlalchemy import event

    app = demo_app(printer=printer.address)
    log = runtime(app).printing
    hold, written = threading.Event(), []
    write = log._write
    monkeypatch.setattr(log, "_write", lambda batch: (hold.wait(10), written.append(len(batch)), write(batch)))
    commits = []
    event.listen(runtime(app).engine, "commit", lambda connection: commits.append(1))
    client = app.test_client()
    taps = [issue(client, service="residence", language="cs") for _ in range(4)]
    assert [t.status_code for t in taps] == [201] * 4
    assert [t.json["print"]["status"] for t in taps] == ["printed"] * 4
    assert len(commits) == 4                     # the tickets only: no outcome is written yet
    hold.set()
    assert [j.status for j in jobs(app)] == ["printed"] * 4
    assert written[0] == 1 and sum(written) == 4 and len(written) <= 2   # the first, then the rest at once
    assert len(commits) == 4 + len(written)


def test_refusing_printer_keeps_the_ticket_and_reprint_works_once_it_is_back(demo_app):
    port = closed_port()
    app = demo_app(printer=f"tcp://127.0.0.1:{port}")
    client = app.test_client()
    response = issue(client, language="ar")
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
        app = demo_app(printer=silent.address, print_timeout_s=1.0)
        response = issue(app.test_client())
        assert response.status_code == 201 and response.json["print"]["status"] == "failed"
        assert response.json["print"]["error"] == f"printer {silent.address} did not answer within 1 s"
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


def printer_rows(app):
    assert runtime(app).printing.flush()
    with runtime(app).reader() as session:
        return session.execute(select(Device.name, Device.printer_state, Device.printer_checked_at)
                               .where(Device.kind == "kiosk").order_by(Device.id)).all()


def test_printer_states_are_read_by_get_and_learnt_by_a_probe(demo_app, printer):
    app = demo_app(printer=printer.address)
    client = app.test_client()
    coordinator = staff_headers(client, "coordinator")
    before = printer_rows(app)
    assert client.get("/healthz").json["details"]["printers"]["praha-iv/kiosk-1"] == "unknown"

    states = client.get("/api/v1/printers", headers=coordinator)
    assert states.status_code == 200 and len(states.json) == 3
    assert {(s["state"], s["checked_at"]) for s in states.json} == {("unknown", None)}
    assert printer_rows(app) == before            # a read asks no printer and writes nothing
    assert printer.jobs == []

    probed = client.post("/api/v1/printers/probe", headers=coordinator)
    assert probed.status_code == 200 and {s["state"] for s in probed.json} == {"online"}
    assert {s["state"] for s in client.get("/api/v1/printers", headers=coordinator).json} == {"online"}
    assert client.get("/healthz").json["details"]["printers"]["praha-iv/kiosk-1"] == "online"
    assert client.get("/api/v1/printers", headers=staff_headers(client, "counsellor")).status_code == 403
    assert client.post("/api/v1/printers/probe", headers=staff_headers(client, "counsellor")).status_code == 403
    assert client.post("/api/v1/printers/probe").status_code == 401


def test_five_simultaneous_reprints_print_once(demo_app):
    app = demo_app(printer=f"tcp://127.0.0.1:{closed_port()}")
    client = app.test_client()
    token = issue(client).json["token"]
    back = FakePrinter()
    try:
        set_kiosk_printer(app, "praha-iv", back.address)
        start = threading.Barrier(5)

        def reprint(_):
            start.wait(timeout=10)
            return app.test_client().post(f"/api/v1/tickets/{token}/reprint", headers=KIOSK)

        with ThreadPoolExecutor(5) as pool:
            responses = list(pool.map(reprint, range(5)))
    finally:
        back.close()
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409, 409]
    assert [(j.status, j.reprint) for j in jobs(app)] == [("failed", False), ("printed", True)]


def test_a_print_outcome_adds_no_event(demo_app, printer):
    """A kiosk tap writes one event (the ticket's); its print is a print job, not a queue change."""
    app = demo_app(printer=printer.address)
    issue(app.test_client())
    with runtime(app).reader() as session:
        assert session.execute(select(Event.type)).scalars().all() == ["ticket.issued"]
    assert [j.status for j in jobs(app)] == ["printed"]


def test_one_reprint_even_when_the_reprint_fails_too(demo_app):
    app = demo_app(printer=f"tcp://127.0.0.1:{closed_port()}")
    client = app.test_client()
    token = issue(client, language="cs").json["token"]
    again = client.post(f"/api/v1/tickets/{token}/reprint", headers=KIOSK)
    assert again.status_code == 200 and again.json["status"] == "failed"
    assert again.json["reprint_allowed"] is False
    third = client.post(f"/api/v1/tickets/{token}/reprint", headers=KIOSK)
    assert third.status_code == 409 and third.json["error"] == "reprint_not_allowed"
    assert [(j.status, j.reprint) for j in jobs(app)] == [("failed", False), ("failed", True)]
