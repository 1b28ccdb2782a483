"""Administration pages: who may open which, CSRF, pairing a screen by its code, the home page,
and the API's responses against the OpenAPI document."""
from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator

from ..api.helpers import counter_id, issue, staff_headers
from ..counter.test_staff_pages import USERS, sign_in

OFFICE = {"admin", "coordinator"}
ADMINS = {"admin"}


def routes(app):
    """(method, path, roles allowed) for every administration page and API route."""
    desk = counter_id(app, "praha-iv", "Přepážka 3")
    other_branch_desk = counter_id(app, "praha-iii", "Přepážka 1")
    return [
        ("GET", "/admin", OFFICE), ("POST", "/admin/branches", OFFICE),
        ("GET", "/admin/branches/praha-iv", OFFICE), ("POST", "/admin/branches/praha-iv", OFFICE),
        ("POST", "/admin/branches/praha-iv/services", OFFICE),
        ("GET", "/admin/branches/praha-iv/services/residence", OFFICE),
        ("POST", "/admin/branches/praha-iv/services/residence", OFFICE),
        ("POST", "/admin/branches/praha-iv/counters", OFFICE),
        ("GET", f"/admin/branches/praha-iv/counters/{desk}", OFFICE),
        ("POST", f"/admin/branches/praha-iv/counters/{desk}", OFFICE),
        ("POST", "/admin/branches/praha-iv/devices/pair", OFFICE),
        ("GET", "/admin/topics", OFFICE), ("POST", "/admin/topics", OFFICE),
        ("GET", "/admin/slides", OFFICE), ("POST", "/admin/slides", OFFICE),
        ("GET", "/api/v1/branches/praha-iv/slides", OFFICE),
        ("GET", "/admin/staff", ADMINS), ("POST", "/admin/staff", ADMINS),
        ("GET", "/admin/staff/lawyer", ADMINS), ("POST", "/admin/staff/lawyer", ADMINS),
        ("POST", "/admin/staff/lawyer/sign-out", ADMINS), ("POST", "/api/v1/staff/lawyer/sign-out", ADMINS),
        ("POST", "/admin/staff/lawyer/disable", ADMINS), ("GET", "/admin/audit", ADMINS),
        ("GET", "/api/v1/branches/praha-iv", OFFICE), ("PATCH", "/api/v1/branches/praha-iv", OFFICE),
        ("GET", "/api/v1/branches/praha-iv/services", OFFICE),
        ("GET", "/api/v1/branches/praha-iv/services/residence", OFFICE),
        ("GET", "/api/v1/branches/praha-iv/counters", OFFICE),
        ("GET", f"/api/v1/branches/praha-iv/counters/{desk}", OFFICE),
        ("GET", "/api/v1/branches/praha-iv/devices", OFFICE),
        ("GET", "/api/v1/topics", OFFICE), ("GET", "/api/v1/staff", ADMINS),
        ("GET", "/api/v1/staff/lawyer", ADMINS), ("GET", "/api/v1/audit", ADMINS),
        # The right role at the wrong branch: a counter is only reachable under its own branch.
        ("GET", f"/api/v1/branches/praha-iv/counters/{other_branch_desk}", set()),
        ("GET", f"/admin/branches/praha-iv/counters/{other_branch_desk}", set()),
    ]


@pytest.mark.parametrize("role", list(USERS))
def test_role_by_admin_route(app, role):
    client = app.test_client()
    token = sign_in(client, USERS[role])
    for method, path, roles in routes(app):
        body = {"csrf_token": token} if method == "POST" else None
        response = client.open(path, method=method, data=body, json={} if method == "PATCH" else None,
                               headers={"X-CSRFToken": token})
        if role in roles:
            assert response.status_code in (200, 302), (role, method, path, response.status_code)
        elif not roles and role in OFFICE:
            assert response.status_code == 404, (role, path, response.status_code)
        else:
            assert response.status_code == 403, (role, method, path, response.status_code)


def test_anonymous_visitors_are_sent_to_sign_in_and_api_calls_are_401(app):
    client = app.test_client()
    for method, path, _roles in routes(app):
        response = client.open(path, method=method, json={} if method == "PATCH" else None)
        if path.startswith("/api/"):
            assert response.status_code == 401, path
        else:
            assert response.status_code in (302, 400), path
            if response.status_code == 302:
                assert "/staff/login" in response.headers["Location"]


def test_forms_need_the_csrf_token(app):
    client = app.test_client()
    sign_in(client, "coordinator")
    assert client.post("/admin/branches", data={"code": "x", "names.cs": "X"}).status_code == 400
    assert client.patch("/api/v1/branches/praha-iv", json={"booking_days": 3}).status_code == 400


def test_a_coordinator_creates_a_branch_and_sees_mistakes_explained(app):
    client = app.test_client()
    token = sign_in(client, "coordinator")
    made = client.post("/admin/branches", data={"csrf_token": token, "code": "brno", "names.cs": "Brno",
                                                "timezone": "Europe/Prague"})
    assert made.status_code == 302 and made.headers["Location"].endswith("/admin/branches/brno")
    saved = client.post("/admin/branches/brno", data={
        "csrf_token": token, "names.cs": "Brno", "address": "Cejl 62", "timezone": "Europe/Prague",
        "languages": ["cs", "vi"], "opening_hours": "mon 08:00-12:00 13:00-17:00\nfri 08:00-12:00",
        "closed_days": "12-24\n2026-12-31", "booking_days": "14", "check_in_early_minutes": "20",
        "appointment_grace_minutes": "10"}, follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert "Uloženo." in page and "mon 08:00-12:00 13:00-17:00" in page
    wrong = client.post("/admin/branches/brno", data={"csrf_token": token, "timezone": "Mars/Olympus",
                                                      "opening_hours": "mon 17:00-08:00"}, follow_redirects=True)
    text = wrong.get_data(as_text=True)
    assert "Neuloženo" in text and "Mars/Olympus" in text
    branch = client.get("/api/v1/branches/brno").json
    assert branch["opening_hours"] == {"mon": [["08:00", "12:00"], ["13:00", "17:00"]], "fri": [["08:00", "12:00"]]}
    assert branch["closed_days"] == ["12-24", "2026-12-31"] and branch["timezone"] == "Europe/Prague"


def test_a_screen_is_paired_by_the_code_it_shows(app):
    screen, coordinator = app.test_client(), app.test_client()
    assert screen.get("/display").status_code == 403                      # not a device yet: the pairing page
    asked = screen.post("/api/v1/pairing", json={"kind": "display"})
    assert asked.status_code == 201 and re.fullmatch(r"[A-Z0-9]{6}", asked.json["code"])
    cookie = asked.headers["Set-Cookie"]
    assert "okenko_device=" in cookie and "HttpOnly" in cookie and asked.json["code"] not in cookie
    assert screen.get("/api/v1/pairing").json == {"paired": False}
    token = sign_in(coordinator, "coordinator")
    wrong_kind = coordinator.post("/admin/branches/praha-iii/devices/pair", data={
        "csrf_token": token, "code": asked.json["code"], "kind": "kiosk", "name": "hall"}, follow_redirects=True)
    assert "Neuloženo" in wrong_kind.get_data(as_text=True)
    paired = coordinator.post("/admin/branches/praha-iii/devices/pair", data={
        "csrf_token": token, "code": asked.json["code"].lower(), "kind": "display", "name": "hall"})
    assert paired.status_code == 302
    status = screen.get("/api/v1/pairing")
    assert status.json == {"paired": True, "url": "/display"}
    assert screen.get("/display").status_code == 200
    # A code works once.
    again = coordinator.post("/api/v1/branches/praha-iii/devices/pair", json={
        "code": asked.json["code"], "kind": "display", "name": "hall-2"}, headers={"X-CSRFToken": token})
    assert again.status_code == 404
    # Revoked: the screen stops at once.
    device = next(d for d in coordinator.get("/api/v1/branches/praha-iii/devices").json if d["name"] == "hall")
    coordinator.post(f"/admin/branches/praha-iii/devices/{device['id']}/revoke", data={"csrf_token": token})
    assert screen.get("/display").status_code == 403


def test_a_moved_device_keeps_working_at_its_new_branch(app):
    screen, coordinator = app.test_client(), app.test_client()
    code = screen.post("/api/v1/pairing", json={"kind": "kiosk"}).json["code"]
    token = sign_in(coordinator, "coordinator")
    coordinator.post("/api/v1/branches/praha-iii/devices/pair", json={"code": code, "kind": "kiosk", "name": "k9"},
                     headers={"X-CSRFToken": token})
    screen.get("/api/v1/pairing")
    device = next(d for d in coordinator.get("/api/v1/branches/praha-iii/devices").json if d["name"] == "k9")
    coordinator.post(f"/admin/branches/praha-iii/devices/{device['id']}", data={"csrf_token": token,
                                                                                "branch": "praha-i"})
    page = screen.get("/kiosk")
    assert page.status_code == 200
    assert "<title>Okénko – Praha I – Nad Vršovskou horou</title>" in page.get_data(as_text=True)


def test_home_page_links_what_the_role_may_use(app):
    assert app.test_client().get("/").headers["Location"].endswith("/book")
    expected = {"admin": ["/counter", "/reception", "/appointments", "/admin", "/statistics"],
                "receptionist": ["/reception", "/appointments"],
                "interpreter": ["/counter", "/reception", "/appointments"]}
    for role, links in expected.items():
        client = app.test_client()
        sign_in(client, USERS[role])
        page = client.get("/").get_data(as_text=True)
        found = re.findall(r'<li><a href="([^"]+)"', page)
        assert found == links, role


def test_admin_responses_match_the_openapi_document(app, client):
    spec = client.get("/api/openapi.json").json
    coordinator = staff_headers(client, "coordinator")
    admin = staff_headers(client, "admin")
    issue(client)
    checks = [
        ("BranchSettings", client.get("/api/v1/branches/praha-iv", headers=coordinator).json),
        ("ServiceSettingsList", client.get("/api/v1/branches/praha-iv/services", headers=coordinator).json),
        ("CounterSettingsList", client.get("/api/v1/branches/praha-iv/counters", headers=coordinator).json),
        ("DeviceList", client.get("/api/v1/branches/praha-iv/devices", headers=coordinator).json),
        ("DeviceOut", client.post("/api/v1/branches/praha-iv/devices", json={"kind": "display", "name": "d9"},
                                  headers=coordinator).json),
        ("StaffList", client.get("/api/v1/staff", headers=admin).json),
        ("TopicList", client.get("/api/v1/topics", headers=coordinator).json),
        ("AuditList", client.get("/api/v1/audit", headers=admin).json),
        ("PairingOut", client.post("/api/v1/pairing", json={"kind": "kiosk"}).json),
        ("Removed", client.delete("/api/v1/topics/other", headers=coordinator).json),
    ]
    for name, body in checks:
        validator = Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": spec["components"]})
        assert [e.message for e in validator.iter_errors(body)] == [], name
    assert "/api/v1/branches/{code}/devices" in spec["paths"] and "/api/v1/staff/{username}" in spec["paths"]


def device_of(app, kind: str, branch: str = "praha-iii") -> int:
    from sqlalchemy import select

    from models import Branch, Device
    from okenko.runtime import runtime
    with runtime(app).reader() as session:
        return session.execute(select(Device.id).join(Device.branch).where(
            Device.kind == kind, Branch.code == branch)).scalar_one()


def test_a_coordinator_sets_a_kiosks_time_limit_on_the_branch_page(app):
    from models import Device
    from okenko.runtime import runtime
    kiosk = device_of(app, "kiosk")
    client = app.test_client()
    token = sign_in(client, USERS["coordinator"])
    page = client.get("/admin/branches/praha-iii").get_data(as_text=True)
    assert re.search(rf'<input id="device-idle-{kiosk}" name="idle_seconds"[^>]* value="45"', page)
    saved = client.post(f"/admin/branches/praha-iii/devices/{kiosk}", data={
        "csrf_token": token, "name": "Vchod", "branch": "praha-iii", "idle_seconds": "90"})
    assert saved.status_code == 302
    with runtime(app).reader() as session:
        assert session.get(Device, kiosk).idle_seconds == 90


def test_a_coordinator_sets_a_displays_sound_on_the_branch_page(app):
    from sqlalchemy import select

    from models import Display
    from okenko.runtime import runtime
    screen = device_of(app, "display")
    client = app.test_client()
    token = sign_in(client, USERS["coordinator"])
    page = client.get("/admin/branches/praha-iii").get_data(as_text=True)
    assert f'id="device-volume-{screen}"' in page
    saved = client.post(f"/admin/branches/praha-iii/devices/{screen}", data={
        "csrf_token": token, "name": "Čekárna", "branch": "praha-iii", "sound": "1", "speech": "on",
        "volume": "50", "spoken_languages": ["cs", "uk"]})                  # the chime box left unticked
    assert saved.status_code == 302
    with runtime(app).reader() as session:
        row = session.execute(select(Display).where(Display.device_id == screen)).scalar_one()
        assert (row.chime, row.speech, row.volume, row.spoken_languages) == (False, True, 50, ["cs", "uk"])


# Every administration route, page and API, as the app has them: who may use it is written out here.
ADMIN_BLUEPRINTS = ("admin", "admin_api", "slides")
PUBLIC = {"admin.static", "slides.image"}


def allowed_roles(rule) -> set[str]:
    accounts = rule.rule.startswith(("/admin/staff", "/api/v1/staff", "/admin/audit", "/api/v1/audit"))
    return ADMINS if accounts else OFFICE


def every_admin_route(app):
    from sqlalchemy import select

    from models import Branch, Device, Slide
    from okenko.runtime import runtime
    with runtime(app).reader() as session:
        device = session.execute(select(Device.id).join(Device.branch).where(Branch.code == "praha-iv")
                                 .order_by(Device.id)).scalars().first()
        slide = session.execute(select(Slide.id).order_by(Slide.id)).scalars().first()
    values = {"code": "praha-iv", "counter_id": counter_id(app, "praha-iv", "Přepážka 3"), "device_id": device,
              "service": "residence", "slide_id": slide, "username": "lawyer", "action": "disable"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in ADMIN_BLUEPRINTS or rule.endpoint in PUBLIC:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<[^>]*\b{name}>", str(values[name]), path)
        path = path.replace("/topics/<code>", "/topics/housing")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path, allowed_roles(rule)


@pytest.mark.parametrize("role", list(USERS))
def test_every_admin_route_refuses_the_roles_it_is_not_for(app, role):
    client = app.test_client()
    token = sign_in(client, USERS[role])
    checked = 0
    for method, path, roles in every_admin_route(app):
        api = path.startswith("/api/")
        response = client.open(path, method=method, headers={"X-CSRFToken": token},
                               data=None if api else {"csrf_token": token},
                               json={} if api and method in ("POST", "PATCH") else None)
        if role in roles:
            assert response.status_code not in (401, 403), (role, method, path, response.status_code)
        else:
            assert response.status_code == 403, (role, method, path, response.status_code)
        checked += 1
    assert checked >= 60, "the administration lost its routes"
