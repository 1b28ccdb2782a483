"""Staff and appointments: the day's list, check-in on a visitor's behalf, cancel, and a referral's
confirmation printed on the counter's printer (real ESC/POS bytes on a TCP listener)."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import update

from models import Counter
from okenko.runtime import runtime

from ..api.helpers import counter_id, issue, staff_headers
from ..conftest import freeze
from ..printers.fake_printer import FakePrinter
from .test_staff_pages import sign_in



@pytest.fixture
def book(app):
    freeze(app)
    appointments = runtime(app).appointments

    def make(start="2026-11-23T10:00:00+01:00", service="residence", **extra):
        return appointments.book("praha-iv", service, "vi", datetime.fromisoformat(start), **extra)
    return make


def test_receptionist_sees_checks_in_and_cancels(app, book):
    first = book(contact="+420 777 000 111")
    second = book(start="2026-11-23T11:00:00+01:00", service="interpreting")
    client = app.test_client()
    token = sign_in(client, "receptionist")
    page = client.get("/appointments?branch=praha-iv&date=2026-11-23").get_data(as_text=True)
    assert "+420 777 000 111" in page and f"{first.code[:4]}-{first.code[4:]}" in page
    assert re.search(r"Rezervováno: <strong>2</strong>", page)
    done = client.post(f"/appointments/{first.code}/check-in", data={"csrf_token": token, "branch": "praha-iv",
                                                                     "date": "2026-11-23"}, follow_redirects=True)
    assert "R-001" in done.get_data(as_text=True)
    client.post(f"/appointments/{second.code}/cancel", data={"csrf_token": token, "branch": "praha-iv"})
    statuses = {a.code: a.status for a in runtime(app).appointments.day_list("praha-iv", date(2026, 11, 23))}
    assert statuses == {first.code: "checked_in", second.code: "cancelled"}


def test_a_refused_staff_check_in_says_why(app, book):
    later = book(start="2026-11-23T15:00:00+01:00")
    client = app.test_client()
    token = sign_in(client, "receptionist")
    page = client.post(f"/appointments/{later.code}/check-in", data={"csrf_token": token, "branch": "praha-iv"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Příliš brzy: příchod lze ohlásit od 14:30." in page            # in the staff language, branch time
    english = client.post(f"/appointments/{later.code}/check-in", data={"csrf_token": token, "branch": "praha-iv"},
                          headers={"Accept-Language": "en"}, follow_redirects=True).get_data(as_text=True)
    assert "Too early: check-in opens at 14:30." in english
    elsewhere = client.post(f"/appointments/{later.code}/check-in", data={"csrf_token": token, "branch": "praha-iii"},
                            headers={"Accept-Language": "en"}, follow_redirects=True).get_data(as_text=True)
    assert "The appointment is at another branch: Praha IV – Koněvova." in elsewhere
    unknown = client.post("/appointments/ACDEFHJK/cancel", data={"csrf_token": token, "branch": "praha-iv"},
                          headers={"Accept-Language": "en"}, follow_redirects=True).get_data(as_text=True)
    assert "No appointment with this code." in unknown


def test_referral_confirmation_prints_on_the_counters_printer(app, book):
    client = app.test_client()
    staff = staff_headers(client, "counsellor")
    desk = counter_id(app, "praha-iv", "Přepážka 2")
    ticket = issue(client, service="residence", language="mn").json
    referred = client.post("/api/v1/appointments", headers=staff, json={
        "branch": "praha-iii", "service": "residence", "language": "mn", "start": "2026-11-24T09:00:00+01:00",
        "referral_ticket": ticket["id"]}).json
    no_printer = client.post(f"/api/v1/appointments/{referred['code']}/print", json={"counter": desk}, headers=staff)
    assert no_printer.status_code == 409 and no_printer.json["error"] == "no_printer"
    printer = FakePrinter()
    try:
        with runtime(app).writer() as session, session.begin():
            session.execute(update(Counter).where(Counter.id == desk).values(printer=printer.address))
        printed = client.post(f"/api/v1/appointments/{referred['code']}/print", json={"counter": desk},
                              headers=staff)
        assert printed.status_code == 200 and printed.json["status"] == "printed"
        job = printer.wait_for_job()
        assert referred["display_code"].encode() in job and b"\x1dV" in job       # the code as text, then a cut
    finally:
        printer.close()
    assert client.post(f"/api/v1/appointments/{referred['code']}/print", json={"counter": desk},
                       headers=staff_headers(client, "receptionist")).status_code == 403
