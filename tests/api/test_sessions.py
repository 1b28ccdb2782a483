"""Sign-in sessions end when they should: sign-out ends that one (a copied cookie or token stops
working), a password change, a disabled account or "sign out everywhere" ends all of a person's."""
from __future__ import annotations

import re

import pytest

from models import InvalidInput
from okenko.runtime import runtime

from ..conftest import DEMO_SECRET
from .helpers import counter_id, staff_headers


def csrf_of(client, path="/staff/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def sign_in_page(client, username="counsellor", password=DEMO_SECRET, next_=None, headers=None):
    path = "/staff/login" + (f"?next={next_}" if next_ else "")
    return client.post(path, data={"username": username, "password": password, "csrf_token": csrf_of(client)},
                       headers=headers)


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def staff_id(app, username: str) -> int:
    return runtime(app).accounts.find(username)


def test_a_session_cookie_copied_before_sign_out_stops_working(app):
    browser = app.test_client()
    assert sign_in_page(browser).status_code == 302
    copied = session_cookie(browser)
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/counter").status_code == 200                      # the copy works while signed in
    browser.post("/staff/logout", data={"csrf_token": csrf_of(browser, "/counter")})
    assert browser.get("/counter").status_code == 302
    after = thief.get("/counter")
    assert after.status_code == 302 and "/staff/login" in after.headers["Location"]


def test_logout_ends_that_bearer_token_only(app):
    client = app.test_client()
    first, second = staff_headers(client, "counsellor"), staff_headers(client, "counsellor")
    desk = counter_id(app, "praha-iv", "Přepážka 1")
    assert client.get(f"/api/v1/counters/{desk}", headers=first).status_code == 200
    out = client.post("/api/v1/auth/logout", headers=first)
    assert out.status_code == 204 and out.get_data() == b""
    refused = client.get(f"/api/v1/counters/{desk}", headers=first)
    assert refused.status_code == 401 and refused.json["error"] == "invalid_token"
    assert client.post("/api/v1/auth/logout", headers=first).status_code == 401
    assert client.get(f"/api/v1/counters/{desk}", headers=second).status_code == 200  # the other session lives


def test_logout_needs_a_token(client):
    assert client.post("/api/v1/auth/logout").status_code == 401


@pytest.mark.parametrize("change", ["set_password", "disable", "sign_out_everywhere"])
def test_account_changes_end_every_session_and_token(app, change):
    browser, client = app.test_client(), app.test_client()
    sign_in_page(browser)
    tokens = [staff_headers(client, "counsellor") for _ in range(2)]
    others = staff_headers(client, "lawyer")
    desk = counter_id(app, "praha-iv", "Přepážka 1")
    accounts, member = runtime(app).accounts, staff_id(app, "counsellor")
    ended = {"set_password": lambda: accounts.set_password(member, "a-new-long-password"),
             "disable": lambda: accounts.disable(member),
             "sign_out_everywhere": lambda: accounts.sign_out_everywhere(member)}[change]()
    assert ended == 3
    for headers in tokens:
        assert client.get(f"/api/v1/counters/{desk}", headers=headers).status_code == 401
    assert browser.get("/counter").status_code == 302
    assert client.get(f"/api/v1/counters/{desk}", headers=others).status_code == 200  # nobody else's


def test_a_new_password_works_and_the_old_one_not(app, client):
    runtime(app).accounts.set_password(staff_id(app, "counsellor"), "a-new-long-password")
    old = client.post("/api/v1/auth/token", json={"username": "counsellor", "password": DEMO_SECRET})
    new = client.post("/api/v1/auth/token", json={"username": "counsellor", "password": "a-new-long-password"})
    assert (old.status_code, new.status_code) == (401, 200)


def test_a_disabled_account_cannot_sign_in_until_enabled(app, client):
    accounts = runtime(app).accounts
    accounts.disable(staff_id(app, "lawyer"))
    body = {"username": "lawyer", "password": DEMO_SECRET}
    assert client.post("/api/v1/auth/token", json=body).status_code == 401
    accounts.enable(staff_id(app, "lawyer"))
    assert client.post("/api/v1/auth/token", json=body).status_code == 200


def test_short_passwords_are_refused(app):
    with pytest.raises(InvalidInput):
        runtime(app).accounts.set_password(staff_id(app, "counsellor"), "short")


def test_forged_tokens_are_refused(app, client):
    headers = staff_headers(client, "counsellor")
    desk = counter_id(app, "praha-iv", "Přepážka 1")
    row, _dot, secret = headers["Authorization"].removeprefix("Bearer ").partition(".")
    for forged in (f"{row}.{secret[:-3]}abc", f"{int(row) + 1}.{secret}", f"x.{secret}", f"{row}."):
        response = client.get(f"/api/v1/counters/{desk}", headers={"Authorization": f"Bearer {forged}"})
        assert response.status_code == 401, forged


def test_tokens_expire(demo_app):
    from ..conftest import freeze
    app = demo_app(staff_token_max_age_s=60)
    clock = freeze(app)
    client = app.test_client()
    headers = staff_headers(client, "counsellor")
    desk = counter_id(app, "praha-iv", "Přepážka 1")
    assert client.get(f"/api/v1/counters/{desk}", headers=headers).status_code == 200
    clock.advance(seconds=61)
    assert client.get(f"/api/v1/counters/{desk}", headers=headers).status_code == 401


def test_only_a_fingerprint_of_the_secret_is_stored(app, client):
    from sqlalchemy import select

    from models import StaffSession
    token = staff_headers(client, "counsellor")["Authorization"].removeprefix("Bearer ")
    with runtime(app).reader() as session:
        stored = session.execute(select(StaffSession.secret_hash)).scalars().all()
    assert stored and token.partition(".")[2] not in stored and all(len(h) == 64 for h in stored)
