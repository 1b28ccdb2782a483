"""The administration API: create and change branches, services, counters, devices, staff and topics;
validation (409 duplicates, 422 unknown time zones and languages); retiring what has history; audit."""
from __future__ import annotations

from ..api.helpers import counter_id, issue, staff_headers
from ..conftest import freeze

HOURS = {"mon": [["08:00", "12:00"], ["13:00", "17:00"]], "fri": [["08:00", "12:00"]]}


def new_branch(client, headers, code="brno", **extra):
    body = {"code": code, "names": {"cs": "Brno – Cejl", "en": "Brno – Cejl"}, "timezone": "Europe/Prague",
            "address": "Cejl 62, Brno", "languages": ["cs", "vi"], "opening_hours": HOURS,
            "closed_days": ["12-24", "2026-12-31"]} | extra
    return client.post("/api/v1/branches", json=body, headers=headers)


def test_a_coordinator_sets_up_a_branch(client):
    coordinator = staff_headers(client, "coordinator")
    made = new_branch(client, coordinator, booking_days=14, kiosk_outside_hours=True)
    assert made.status_code == 201, made.json
    assert made.json["opening_hours"] == HOURS and made.json["closed_days"] == ["12-24", "2026-12-31"]
    assert made.json["booking_days"] == 14 and made.json["kiosk_outside_hours"] is True
    service = client.post("/api/v1/branches/brno/services", json={
        "code": "residence", "prefix": "R", "names": {"cs": "Pobyt", "vi": "Cư trú"},
        "descriptions": {"cs": "Povolení k pobytu"}, "bookable": True, "slot_minutes": 20, "slot_capacity": 2,
        "what_to_bring": {"cs": "Pas a fotografii", "vi": "Hộ chiếu và ảnh"}}, headers=coordinator)
    assert service.status_code == 201, service.json
    assert service.json["missing_translations"] == ["vi"]      # a name but no description in Vietnamese
    counter = client.post("/api/v1/branches/brno/counters", json={
        "number": 4, "names": {"vi": "Quầy 4"}, "services": ["residence"]}, headers=coordinator)
    assert counter.status_code == 201, counter.json
    assert counter.json["number"] == 4 and counter.json["name"] == "4" and counter.json["services"] == ["residence"]
    listed = client.get("/api/v1/branches").json
    brno = next(b for b in listed if b["code"] == "brno")
    assert [s["code"] for s in brno["services"]] == ["residence"]
    patched = client.patch("/api/v1/branches/brno", json={"name": "Brno", "booking_days": 30}, headers=coordinator)
    assert patched.json["names"] == {"cs": "Brno", "en": "Brno – Cejl"} and patched.json["booking_days"] == 30


def test_duplicates_are_409_and_unknown_zones_and_languages_422(client):
    coordinator = staff_headers(client, "coordinator")
    assert new_branch(client, coordinator, code="praha-iv").status_code == 409
    bad_zone = new_branch(client, coordinator, timezone="Europe/Atlantis")
    assert bad_zone.status_code == 422 and "unknown time zone 'Europe/Atlantis'" in bad_zone.json["message"]
    bad_language = new_branch(client, coordinator, languages=["cs", "xx"])
    assert bad_language.status_code == 422 and "unknown language 'xx'" in bad_language.json["message"]
    bad_hours = new_branch(client, coordinator, opening_hours={"mon": [["12:00", "08:00"]]})
    assert bad_hours.status_code == 422 and "mon" in bad_hours.json["message"]
    bad_day = new_branch(client, coordinator, closed_days=["02-30"])
    assert bad_day.status_code == 422
    prefix = client.post("/api/v1/branches/praha-iv/services", json={"code": "new", "prefix": "A"}, headers=coordinator)
    assert prefix.status_code == 409 and "prefix" in prefix.json["message"]
    number = client.post("/api/v1/branches/praha-iv/counters", json={"number": 1}, headers=coordinator)
    assert number.status_code == 409
    unknown = client.post("/api/v1/branches/praha-iv/counters", json={"number": 9, "services": ["nope"]},
                          headers=coordinator)
    assert unknown.status_code == 422 and "nope" in unknown.json["message"]
    assert client.get("/api/v1/branches/nowhere", headers=coordinator).status_code == 404


def test_deleting_with_history_retires(client):
    coordinator = staff_headers(client, "coordinator")
    issue(client, service="residence")
    assert client.delete("/api/v1/branches/praha-iv/services/residence", headers=coordinator).json == \
        {"outcome": "retired"}
    retired = client.get("/api/v1/branches/praha-iv/services/residence", headers=coordinator).json
    assert retired["active"] is False and retired["bookable"] is False
    client.post("/api/v1/branches/praha-iv/services", json={"code": "fresh", "prefix": "F"}, headers=coordinator)
    assert client.delete("/api/v1/branches/praha-iv/services/fresh", headers=coordinator).json == {"outcome": "deleted"}
    assert client.get("/api/v1/branches/praha-iv/services/fresh", headers=coordinator).status_code == 404


def test_headless_device_gets_its_token_once_and_revoking_stops_it(client):
    coordinator = staff_headers(client, "coordinator")
    made = client.post("/api/v1/branches/praha-iii/devices", json={"kind": "kiosk", "name": "entrance"},
                       headers=coordinator)
    assert made.status_code == 201 and len(made.json["token"]) >= 32
    kiosk = {"Authorization": f"Bearer {made.json['token']}"}
    assert issue(client, branch="praha-iii", headers=kiosk).status_code == 201
    listed = client.get("/api/v1/branches/praha-iii/devices", headers=coordinator).json
    assert all("token" not in d for d in listed) and "entrance" in [d["name"] for d in listed]
    assert client.delete(f"/api/v1/branches/praha-iii/devices/{made.json['id']}", headers=coordinator).json == \
        {"outcome": "revoked"}
    assert issue(client, branch="praha-iii", headers=kiosk).status_code == 401
    # A device of one branch is not reachable under another's address.
    assert client.patch(f"/api/v1/branches/praha-iv/devices/{made.json['id']}", json={"name": "x"},
                        headers=coordinator).status_code == 404


def test_admins_manage_staff_and_a_disabled_account_loses_its_tokens(client):
    admin = staff_headers(client, "admin")
    made = client.post("/api/v1/staff", json={"username": "nguyen", "role": "counsellor", "languages": ["cs", "vi"],
                                              "branches": ["praha-iv"]}, headers=admin)
    assert made.status_code == 201 and made.json["branches"] == ["praha-iv"] and len(made.json["password"]) >= 12
    token = client.post("/api/v1/auth/token", json={"username": "nguyen", "password": made.json["password"]}).json
    mine = {"Authorization": f"Bearer {token['token']}"}
    assert client.get("/api/v1/interpreter-requests?branch=praha-iv", headers=mine).status_code == 200
    assert client.post("/api/v1/staff", json={"username": "nguyen", "role": "counsellor"},
                       headers=admin).status_code == 409
    assert client.post("/api/v1/staff/nguyen/disable", headers=admin).json["active"] is False
    assert client.get("/api/v1/interpreter-requests?branch=praha-iv", headers=mine).status_code == 401
    reset = client.post("/api/v1/staff/nguyen/password", json={"password": "a-new-long-password"}, headers=admin)
    assert reset.status_code == 200 and "password" not in reset.json
    assert client.post("/api/v1/staff", json={"username": "x", "role": "wizard"}, headers=admin).status_code == 422
    # Coordinators run the office but do not manage accounts.
    coordinator = staff_headers(client, "coordinator")
    assert client.get("/api/v1/staff", headers=coordinator).status_code == 403
    assert client.post("/api/v1/staff", json={"username": "y", "role": "admin"}, headers=coordinator).status_code == 403


def test_topics_are_managed_and_retired_topics_are_refused_at_finish(app, client):
    from ..api.helpers import counter_id
    coordinator = staff_headers(client, "coordinator")
    made = client.post("/api/v1/topics", json={"code": "debts", "names": {"cs": "Dluhy", "en": "Debts"}},
                       headers=coordinator)
    assert made.status_code == 201 and made.json["active"] is True
    codes = [t["code"] for t in client.get("/api/v1/topics", headers=coordinator).json]
    assert codes[:2] == ["residence_status", "housing"] and codes[-1] == "debts"
    assert client.delete("/api/v1/topics/housing", headers=coordinator).json == {"outcome": "retired"}
    counsellor = staff_headers(client, "counsellor")
    desk = counter_id(app, "praha-iv", "Přepážka 1")
    client.post(f"/api/v1/counters/{desk}/open", headers=counsellor)
    issue(client)
    ticket = client.post(f"/api/v1/counters/{desk}/call-next", headers=counsellor).json
    client.post(f"/api/v1/tickets/{ticket['id']}/start", headers=counsellor)
    refused = client.post(f"/api/v1/tickets/{ticket['id']}/finish", json={"topics": ["housing"]}, headers=counsellor)
    assert refused.status_code == 422 and "housing" in refused.json["message"]
    done = client.post(f"/api/v1/tickets/{ticket['id']}/finish", json={"topics": ["debts"]}, headers=counsellor)
    assert done.status_code == 200


def test_every_change_is_in_the_audit_trail(client):
    coordinator = staff_headers(client, "coordinator")
    new_branch(client, coordinator)
    client.patch("/api/v1/branches/brno", json={"booking_days": 7}, headers=coordinator)
    client.post("/api/v1/topics", json={"code": "debts", "names": {"cs": "Dluhy"}}, headers=coordinator)
    admin = staff_headers(client, "admin")
    client.post("/api/v1/staff/lawyer/password", json={"password": "another-long-password"}, headers=admin)
    trail = client.get("/api/v1/audit", headers=admin).json
    assert [(e["actor"], e["action"], e["target"]) for e in trail[:4]] == [
        ("admin", "staff.password_reset", "staff:lawyer"), ("coordinator", "topic.created", "topic:debts"),
        ("coordinator", "branch.updated", "branch:brno"), ("coordinator", "branch.created", "branch:brno")]
    assert trail[2]["changes"] == {"booking_days": [30, 7]}
    assert trail[0]["changes"] == {"password": ["…", "…"]}       # never the password itself
    assert client.get("/api/v1/audit", headers=coordinator).status_code == 403


def test_what_to_bring_is_shown_on_the_booking_confirmation_in_the_visitors_language(app):
    from ..conftest import freeze
    from ..kiosk.test_booking_pages import book
    freeze(app)
    client = app.test_client()
    coordinator = staff_headers(client, "coordinator")
    changed = client.patch("/api/v1/branches/praha-iv/services/residence", json={"what_to_bring": {
        "cs": "Cestovní pas a fotografii 3,5 × 4,5 cm", "vi": "Hộ chiếu và một ảnh 3,5 × 4,5 cm"}},
        headers=coordinator)
    assert changed.status_code == 200
    confirmation = client.get(book(client).headers["Location"]).get_data(as_text=True)
    assert 'id="what-to-bring">Hộ chiếu và một ảnh 3,5 × 4,5 cm<' in confirmation


def test_a_closed_day_closes_the_kiosk_until_the_next_opening(app, client):
    freeze(app)                                               # Monday 23 Nov 2026, 09:30 in Prague
    coordinator = staff_headers(client, "coordinator")
    counsellor = staff_headers(client, "counsellor")
    desk = counter_id(app, "praha-iii", "Přepážka 1")
    assert client.post(f"/api/v1/counters/{desk}/open", headers=counsellor).status_code == 200

    def assistance():
        services = client.get("/api/v1/branches/praha-iii/snapshot").json["services"]
        found = next(s for s in services if s["code"] == "assistance")
        return found["available"], found["unavailable_reason"], found["opens_at"]

    assert assistance() == (True, None, None)
    closed = client.get("/api/v1/branches/praha-iii", headers=coordinator).json["closed_days"] + ["2026-11-23"]
    assert client.patch("/api/v1/branches/praha-iii", json={"closed_days": closed},
                        headers=coordinator).status_code == 200
    assert assistance() == (False, "closed", "2026-11-24T08:00:00+01:00")


def test_an_admin_signs_an_account_out_everywhere(client):
    first, second = staff_headers(client, "lawyer"), staff_headers(client, "lawyer")
    other = staff_headers(client, "counsellor")
    assert client.post("/api/v1/staff/lawyer/sign-out", headers=other).status_code == 403
    admin = staff_headers(client, "admin")
    signed_out = client.post("/api/v1/staff/lawyer/sign-out", headers=admin)
    assert signed_out.status_code == 200 and signed_out.json["active"] is True
    for headers in (first, second):
        assert client.get("/api/v1/interpreter-requests?branch=praha-iv", headers=headers).status_code == 401
    assert client.get("/api/v1/interpreter-requests?branch=praha-iv", headers=other).status_code == 200
    again = staff_headers(client, "lawyer")                   # it may sign in again
    assert client.get("/api/v1/interpreter-requests?branch=praha-iv", headers=again).status_code == 200
    audit = client.get("/api/v1/audit", headers=admin).json
    assert audit[0]["action"] == "staff.signed_out_everywhere" and audit[0]["target"] == "staff:lawyer"


def test_a_kiosks_time_limit_is_set_per_device(app, client):
    coordinator = staff_headers(client, "coordinator")
    kiosk = next(d for d in client.get("/api/v1/branches/praha-iii/devices", headers=coordinator).json
                 if d["kind"] == "kiosk")
    assert kiosk["idle_seconds"] == 45
    path = f"/api/v1/branches/praha-iii/devices/{kiosk['id']}"
    assert client.patch(path, json={"idle_seconds": 5}, headers=coordinator).status_code == 422
    changed = client.patch(path, json={"idle_seconds": 120}, headers=coordinator)
    assert changed.status_code == 200 and changed.json["idle_seconds"] == 120
    page = app.test_client()
    page.get("/kiosk?token=test-demo-secret&branch=praha-iii")          # registers, then a clean URL
    html = page.get("/kiosk").get_data(as_text=True)
    assert '"idleSeconds": 120' in html


def test_a_displays_sound_is_set_in_the_administration(app, client):
    coordinator = staff_headers(client, "coordinator")
    screens = client.get("/api/v1/branches/praha-iii/devices", headers=coordinator).json
    display = next(d for d in screens if d["kind"] == "display")
    kiosk = next(d for d in screens if d["kind"] == "kiosk")
    assert kiosk["sound"] is None
    path = f"/api/v1/branches/praha-iii/devices/{display['id']}"
    assert client.patch(path, json={"volume": 101}, headers=coordinator).status_code == 422
    assert client.patch(path, json={"spoken_languages": ["xx"]}, headers=coordinator).status_code == 422
    assert client.patch(f"/api/v1/branches/praha-iii/devices/{kiosk['id']}", json={"chime": False},
                        headers=coordinator).status_code == 422
    changed = client.patch(path, json={"chime": False, "volume": 35, "spoken_languages": ["cs", "vi"]},
                           headers=coordinator)
    assert changed.status_code == 200, changed.json
    assert changed.json["sound"] == {"chime": False, "speech": True, "volume": 35, "spoken_languages": ["cs", "vi"]}
    page = app.test_client()
    page.get("/display?token=test-demo-secret&branch=praha-iii")
    html = page.get("/display").get_data(as_text=True)
    for setting in ('"chime": false', '"volume": 0.35', '"spokenLanguages": ["cs", "vi"]'):
        assert setting in html, setting
    audit = client.get("/api/v1/audit", headers=staff_headers(client, "admin")).json[0]
    assert audit["action"] == "device.updated" and audit["changes"]["volume"] == [80, 35]


def test_a_new_displays_sound_gets_its_own_settings_row_and_moves_with_it(app, client):
    from sqlalchemy import select

    from models import Branch, Display
    from okenko.runtime import runtime
    coordinator = staff_headers(client, "coordinator")
    made = client.post("/api/v1/branches/praha-iii/devices", json={"kind": "display", "name": "hall"},
                       headers=coordinator).json
    path = f"/api/v1/branches/praha-iii/devices/{made['id']}"
    assert client.patch(path, json={"idle_seconds": 60}, headers=coordinator).status_code == 422
    assert client.patch(path, json={"volume": 20}, headers=coordinator).json["sound"] == {
        "chime": True, "speech": True, "volume": 20, "spoken_languages": []}
    assert client.patch(path, json={"volume": 30}, headers=coordinator).status_code == 200
    moved = client.patch(path, json={"branch": "praha-i"}, headers=coordinator)
    assert moved.status_code == 200 and moved.json["branch"] == "praha-i"
    with runtime(app).reader() as session:
        rows = session.execute(select(Display.volume, Branch.code).join(Branch, Branch.id == Display.branch_id)
                               .where(Display.device_id == made["id"])).all()
    assert rows == [(30, "praha-i")]
