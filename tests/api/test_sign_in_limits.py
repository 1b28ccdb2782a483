"""Failed sign-ins are limited per account from one address and per address; successes never count,
so neither a shift behind one NAT address nor a stranger elsewhere can lock people out. The sign-in
page and the token API share one budget."""
from __future__ import annotations

from ..conftest import DEMO_SECRET
from .test_sessions import csrf_of


def token(client, username="counsellor", password=DEMO_SECRET, address="10.0.0.1"):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def page(client, username="counsellor", password=DEMO_SECRET, address="10.0.0.1"):
    return client.post("/staff/login", data={"username": username, "password": password,
                                             "csrf_token": csrf_of(client)},
                       environ_base={"REMOTE_ADDR": address}, headers={"Accept-Language": "en"})


def test_successful_sign_ins_do_not_count(client):
    # A shift of 40 people signing in behind the office's one address within a minute.
    statuses = {token(client, username=name).status_code
                for name in ["counsellor", "lawyer", "assistant", "receptionist"] * 10}
    assert statuses == {200}


def test_five_failures_lock_that_account_from_that_address_only(client):
    for _ in range(5):
        assert token(client, password="wrong").status_code == 401
    locked = token(client)
    assert locked.status_code == 429 and locked.json["error"] == "locked" and int(locked.headers["Retry-After"]) > 0
    assert "try again in" in locked.json["message"]
    assert token(client, address="10.0.0.2").status_code == 200      # the real user elsewhere still signs in
    assert token(client, username="lawyer").status_code == 200       # other accounts from that address too


def test_page_and_api_share_one_budget(app):
    client = app.test_client()
    for _ in range(3):
        assert page(client, password="wrong").status_code == 401
    for _ in range(2):
        assert token(client, password="wrong").status_code == 401
    assert token(client).status_code == 429
    refused = page(client)
    assert refused.status_code == 429 and "Try again in" in refused.get_data(as_text=True)


def test_failures_from_one_address_across_accounts_are_limited(client):
    statuses = [token(client, username=f"guess{i}", password="x").status_code for i in range(21)]
    assert statuses == [401] * 20 + [429]
    assert token(client).status_code == 429                          # that address is spent for now
    assert token(client, address="10.0.0.9").status_code == 200


def test_the_account_name_is_counted_whatever_its_case(client):
    for name in ["Counsellor", "COUNSELLOR", "counsellor", "CounSellor", "counSELLOR"]:
        assert token(client, username=name, password="wrong").status_code == 401
    assert token(client).status_code == 429
