"""The appointments API on the demo data: slots, booking, the code's operations, check-in through
POST /tickets, staff lists and referrals, rate limiting, and the documented shapes."""
from __future__ import annotations


import pytest
from jsonschema import Draft202012Validator

from models import DeviceKind

from ..conftest import Clock, freeze
from .helpers import KIOSK, add_device, counter_id, issue, staff_headers

TUESDAY = "2026-11-24"


@pytest.fixture
def clock(app) -> Clock:
    return freeze(app)                       # Monday 23 Nov 2026, 09:30 in Prague


def book(client, start="2026-11-24T09:00:00+01:00", service="residence", branch="praha-iv", headers=None,
         **extra):
    body = {"branch": branch, "service": service, "language": "vi", "start": start} | extra
    return client.post("/api/v1/appointments", json=body, headers=headers or {})


def test_slots_of_a_day_with_free_places(client, clock):
    response = client.get(f"/api/v1/branches/praha-iv/slots?service=residence&date={TUESDAY}")
    assert response.status_code == 200
    slots = response.json
    assert len(slots) == 48                                   # Koněvova is open round the clock in the demo
    assert slots[18] == {"start": "2026-11-24T08:00:00+00:00", "end": "2026-11-24T08:30:00+00:00",
                         "capacity": 2, "free": 2}
    today = client.get("/api/v1/branches/praha-iv/slots?service=residence&date=2026-11-23").json
    assert today[0]["start"] == "2026-11-23T09:00:00+00:00"   # the 09:30 slot has begun: from 10:00 on


@pytest.mark.parametrize(("query", "status"), [
    ("service=residence&date=tomorrow", 422), ("date=2026-11-24", 422),
    ("service=assistance&date=2026-11-24", 409), ("service=nothing&date=2026-11-24", 404),
])
def test_slot_queries_that_cannot_be_answered(client, clock, query, status):
    response = client.get(f"/api/v1/branches/praha-iv/slots?{query}")
    assert response.status_code == status and response.json["message"]


def test_booking_days_cover_the_horizon(client, clock):
    days = client.get("/api/v1/branches/praha-iii/booking-days?service=residence").json
    assert days[0]["date"] == "2026-11-23" and days[0]["free"] > 0
    assert "2026-11-28" not in [d["date"] for d in days]        # Saturday: Cigánkova is closed


def test_book_view_cancel_by_code(client, clock):
    response = book(client, contact="+420 777 000 111")
    assert response.status_code == 201
    booked = response.json
    assert booked["status"] == "booked" and booked["start"] == "2026-11-24T08:00:00+00:00"
    assert booked["display_code"] == f"{booked['code'][:4]}-{booked['code'][4:]}"
    assert booked["url"] == f"https://okenko.example/a/{booked['code']}"
    assert booked["has_contact"] is True and booked["contact"] is None     # the code holder sees no contact
    shown = client.get(f"/api/v1/appointments/{booked['display_code'].lower()}")
    assert shown.status_code == 200 and shown.json["code"] == booked["code"]
    assert client.delete(f"/api/v1/appointments/{booked['code']}").json["status"] == "cancelled"
    again = client.delete(f"/api/v1/appointments/{booked['code']}")
    assert again.status_code == 409 and again.json["error"] == "illegal_transition"
    assert client.get("/api/v1/appointments/ACDE-FHJK").status_code == 404


def test_a_full_slot_is_409_and_rebooking_moves(client, clock):
    first, second = book(client).json, book(client).json
    full = book(client)
    assert full.status_code == 409 and full.json["error"] == "slot_full"
    moved = client.post(f"/api/v1/appointments/{second['code']}/rebook", json={"start": "2026-11-24T10:00:00+01:00"})
    assert moved.status_code == 200 and moved.json["start"] == "2026-11-24T09:00:00+00:00"
    assert book(client).status_code == 201
    assert first["code"] != second["code"]


@pytest.mark.parametrize(("body", "status"), [
    ({"start": "2026-11-24T09:10:00+01:00"}, 422),                 # not a slot
    ({"start": "2026-11-24T09:00:00"}, 422),                       # no offset
    ({"start": "soon"}, 422),
    ({"language": "xx"}, 422),
    ({"service": "assistance"}, 409),                              # not bookable
    ({"contact": "x" * 201}, 422),
    ({"extra": 1}, 422),
])
def test_bad_bookings_get_clear_errors(client, clock, body, status):
    response = client.post("/api/v1/appointments", json={"branch": "praha-iv", "service": "residence",
                                                           "language": "vi", "start": "2026-11-24T09:00:00+01:00"} | body)
    assert response.status_code == status, response.json
    assert response.json["message"]


def test_kiosk_checks_an_appointment_in(client, clock):
    code = book(client, start="2026-11-23T10:00:00+01:00").json["code"]
    response = client.post("/api/v1/tickets", json={"branch": "praha-iv", "appointment_code": code.lower()},
                           headers=KIOSK)
    assert response.status_code == 201, response.json
    ticket = response.json
    assert ticket["appointment"] is True and ticket["appointment_at"] == "2026-11-23T09:00:00+00:00"
    assert ticket["number"] == "R-001" and ticket["language"] == "vi"
    assert ticket["appointment_details"]["status"] == "checked_in"
    assert ticket["texts"]["appointment"] == "Lịch hẹn lúc 10:00"
    assert "Lịch hẹn lúc 10:00" in client.get(f"/t/{ticket['token']}").get_data(as_text=True)   # the phone page
    again = client.post("/api/v1/tickets", json={"branch": "praha-iv", "appointment_code": code}, headers=KIOSK)
    assert again.status_code == 409
    assert again.json["error"] == "check_in_refused"
    assert again.json["details"] == {"reason": "already_checked_in", "ticket": "R-001"}


def test_the_appointment_time_is_the_branchs_own(app, client, clock):
    from sqlalchemy import update

    from models import Branch
    from okenko.runtime import runtime
    with runtime(app).writer() as session, session.begin():        # a branch abroad, server in Prague
        session.execute(update(Branch).where(Branch.code == "praha-iv").values(timezone="Europe/London"))
    code = book(client, start="2026-11-23T09:00:00+00:00").json["code"]
    ticket = client.post("/api/v1/tickets", json={"branch": "praha-iv", "appointment_code": code},
                         headers=KIOSK).json
    assert ticket["timezone"] == "Europe/London"
    assert ticket["texts"]["appointment"] == "Lịch hẹn lúc 09:00"     # not 10:00, Prague's clock


def test_displays_see_a_called_appointment_marked_as_such(app, client, clock):
    code = book(client, start="2026-11-23T10:00:00+01:00").json["code"]
    client.post("/api/v1/tickets", json={"branch": "praha-iv", "appointment_code": code}, headers=KIOSK)
    staff = staff_headers(client, "counsellor")
    desk = counter_id(app, "praha-iv", "Přepážka 3")
    client.post(f"/api/v1/counters/{desk}/open", headers=staff)
    assert client.post(f"/api/v1/counters/{desk}/call-next", headers=staff).json["appointment"] is True
    recent = client.get("/api/v1/branches/praha-iv/snapshot").json["recent"]
    assert recent[0]["number"] == "R-001" and recent[0]["appointment"] is True


def test_check_in_refusals_say_why(app, client, clock):
    elsewhere = book(client, branch="praha-iii", start="2026-11-23T10:00:00+01:00").json["code"]
    later = book(client, start="2026-11-23T11:00:00+01:00").json["code"]
    refused = client.post("/api/v1/tickets", json={"branch": "praha-iv", "appointment_code": elsewhere},
                          headers=KIOSK)
    assert refused.status_code == 409 and refused.json["details"]["reason"] == "wrong_branch"
    assert refused.json["details"]["branch_names"]["cs"] == "Praha III – Cigánkova"
    early = client.post("/api/v1/tickets", json={"branch": "praha-iv", "appointment_code": later}, headers=KIOSK)
    assert early.json["details"]["reason"] == "too_early"
    assert early.json["details"]["check_in_from"] == "2026-11-23T09:30:00+00:00"
    unknown = client.post("/api/v1/tickets", json={"branch": "praha-iv", "appointment_code": "ACDE-FHJK"},
                          headers=KIOSK)
    assert unknown.status_code == 404


@pytest.mark.parametrize("body", [
    {"branch": "praha-iv"},
    {"branch": "praha-iv", "service": "residence"},
    {"branch": "praha-iv", "service": "residence", "language": "vi", "appointment_code": "ACDEFHJK"},
])
def test_a_ticket_request_is_a_walk_in_or_a_check_in(client, body):
    response = client.post("/api/v1/tickets", json=body, headers=KIOSK)
    assert response.status_code == 422 and "appointment_code" in response.json["message"]


def test_staff_see_the_days_appointments_with_contacts(client, clock):
    book(client, contact="a@example.org")
    book(client, service="interpreting", start="2026-11-24T08:30:00+01:00")
    assert client.get(f"/api/v1/branches/praha-iv/appointments?date={TUESDAY}").status_code == 401
    listed = client.get(f"/api/v1/branches/praha-iv/appointments?date={TUESDAY}",
                        headers=staff_headers(client, "receptionist")).json
    assert [(a["service"], a["contact"]) for a in listed] == [("interpreting", ""), ("residence", "a@example.org")]


def test_only_staff_book_referrals(client, clock):
    ticket_id = issue(client, service="residence").json["id"]
    assert book(client, referral_ticket=ticket_id).status_code == 403
    referred = book(client, referral_ticket=ticket_id, branch="praha-iii",
                    headers=staff_headers(client, "counsellor"))
    assert referred.status_code == 201 and referred.json["referral"] is True


def test_booking_is_rate_limited_per_address_but_not_for_staff(demo_app):
    app = demo_app(booking_rate_limit="3 per minute")
    client = app.test_client()
    freeze(app)
    statuses = [book(client, start=f"2026-11-24T{9 + i:02d}:00:00+01:00").status_code for i in range(4)]
    assert statuses == [201, 201, 201, 429]
    staff = staff_headers(client, "receptionist")
    assert book(client, start="2026-11-24T15:00:00+01:00", headers=staff).status_code == 201


def test_appointment_responses_match_their_documented_schemas(app, client, clock):
    add_device(app, "praha-iv", DeviceKind.KIOSK, "second-kiosk-token-xyz")
    spec = client.get("/api/openapi.json").json
    booked = book(client, start="2026-11-23T10:00:00+01:00").json
    checked = client.post("/api/v1/tickets", json={"branch": "praha-iv", "appointment_code": booked["code"]},
                          headers=KIOSK).json
    checks = [
        ("AppointmentOut", booked),
        ("AppointmentOut", client.get(f"/api/v1/appointments/{booked['code']}").json),
        ("SlotList", client.get(f"/api/v1/branches/praha-iv/slots?service=legal&date={TUESDAY}").json),
        ("BookingDayList", client.get("/api/v1/branches/praha-iv/booking-days?service=legal").json),
        ("IssuedTicketOut", checked),
    ]
    for name, body in checks:
        validator = Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": spec["components"]})
        assert [e.message for e in validator.iter_errors(body)] == [], name
    for path in ("/api/v1/appointments", "/api/v1/appointments/{code}", "/api/v1/branches/{code}/slots"):
        assert path in spec["paths"]


def test_guessing_codes_is_limited_per_address_but_real_codes_are_not_counted(client, clock):
    code = book(client).json["code"]
    for _ in range(30):
        assert client.get(f"/api/v1/appointments/{code}").status_code == 200      # hits cost nothing
    misses = [client.get(f"/api/v1/appointments/ACDEFH{a}{b}").status_code for a in "3479" for b in "34797"][:20]
    assert misses == [404] * 20
    page = client.get("/a/ACDEFHJK?lang=uk")                                     # pages share the budget
    assert page.status_code == 429 and 'role="alert"' in page.get_data(as_text=True)
    limited = client.delete(f"/api/v1/appointments/{code}")
    assert limited.status_code == 429 and "Retry-After" in limited.headers
