"""The bar of the administration: from an empty database an office is set up in the browser as its
staff would (an admin makes the accounts, the coordinator the rest), screens are paired by the code
they show, and the office works: a Vietnamese visitor takes a ticket at the new kiosk, the new
counsellor calls it, the new display shows the counter's number. Every admin page passes axe-core."""
from __future__ import annotations

import re

import pytest

from models import Staff
from models.migrate import upgrade
from models.security import hash_password
from okenko.runtime import runtime

from ..conftest import make_app
from ..live import LiveServer
from .test_accessibility import audit  # noqa: F401  (fixture)

PASSWORD = "a-long-admin-password"
ENGLISH = {"Accept-Language": "en"}
EVERY_DAY = "\n".join(f"{day} 00:00-24:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))


@pytest.fixture
def empty_office(tmp_path):
    """A migrated, empty database with one admin account (what `okenko staff create` gives)."""
    url = f"sqlite:///{tmp_path / 'office.db'}"
    upgrade(url)
    app = make_app(tmp_path, url)
    with runtime(app).writer() as session, session.begin():
        session.add(Staff(username="boss", display_name="Boss", role="admin", password_hash=hash_password(PASSWORD),
                          languages=["cs", "en"]))
    server = LiveServer(app)
    yield server
    server.stop()
    runtime(app).engine.dispose()


def sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/staff/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def saved(page) -> None:
    flash = page.locator(".flash").first
    flash.wait_for()
    assert "Not saved" not in flash.inner_text(), flash.inner_text()


def create_account(admin, username: str, role: str, branch: str | None = None, languages=()) -> None:
    admin.get_by_label("Username").fill(username)
    admin.get_by_label("Password (at least 10 characters; empty: generate one)").fill(f"{username}-password")
    admin.get_by_label("Role").select_option(role)
    for language in languages:
        admin.get_by_label(language, exact=True).check()
    if branch:
        admin.get_by_label(branch, exact=True).check()
    admin.get_by_role("button", name="Create account").click()
    saved(admin)


def pair(screen, admin, url: str, kind: str, name: str) -> None:
    screen.goto(f"{url}/{kind}")
    screen.wait_for_function("/^[A-Z0-9]{3} [A-Z0-9]{3}$/.test(document.getElementById('pairing-code').textContent)")
    code = screen.locator("#pairing-code").inner_text().replace(" ", "")
    admin.goto(f"{url}/admin/branches/brno")
    admin.get_by_label("Pairing code").fill(code)
    admin.get_by_label("Kind").select_option(kind)
    admin.locator("#pair-name").fill(name)
    admin.get_by_role("button", name="Pair", exact=True).click()
    saved(admin)
    screen.wait_for_url(f"{url}/{kind}")
    screen.locator("#pairing-code").wait_for(state="detached")


def test_a_new_office_from_an_empty_database(empty_office, browser, audit):  # noqa: F811
    url = empty_office.url
    admin = browser.new_context(viewport={"width": 1400, "height": 1000}, extra_http_headers=ENGLISH).new_page()
    sign_in(admin, url, "boss", PASSWORD)
    admin.goto(f"{url}/")
    admin.get_by_role("link", name="Administration").first.click()
    admin.get_by_text("No branch yet").wait_for()
    assert audit(admin) == []

    # The admin makes the coordinator's account.
    admin.get_by_role("link", name="Staff").click()
    create_account(admin, "koordinatorka", "coordinator")
    assert audit(admin) == []

    # The coordinator sets up the branch.
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, extra_http_headers=ENGLISH).new_page()
    sign_in(page, url, "koordinatorka", "koordinatorka-password")
    page.goto(f"{url}/admin")
    page.get_by_label("Code (letters, digits, dashes; in addresses)").fill("brno")
    page.get_by_label("Name in Czech").fill("Brno – Cejl")
    page.get_by_role("button", name="Create branch").click()
    saved(page)
    page.get_by_label("Address").fill("Cejl 62, Brno")
    for language in ("Čeština", "Tiếng Việt"):
        page.get_by_label(language, exact=True).first.check()
    page.locator("#opening_hours").fill(EVERY_DAY)
    page.get_by_role("button", name="Save", exact=True).first.click()
    saved(page)
    assert audit(page) == []

    for code, prefix, cs, vi in (("residence", "R", "Pobytové poradenství", "Tư vấn cư trú"),
                                 ("assistance", "A", "Asistence", "Hỗ trợ")):
        page.locator("#service-code").fill(code)
        page.locator("#service-prefix").fill(prefix)
        page.locator("#service-name-cs").fill(cs)
        page.get_by_role("button", name="Add service").click()
        saved(page)
        page.get_by_role("link", name=cs).click()
        page.locator("#names-vi").fill(vi)
        page.locator("#descriptions-vi").fill(f"{vi}.")
        page.get_by_role("button", name="Save", exact=True).click()
        saved(page)
        assert audit(page) == []
        page.goto(f"{url}/admin/branches/brno")

    for number, service in ((1, "residence"), (2, "assistance")):
        page.locator("#counter-number").fill(str(number))
        page.locator("#counters").get_by_label(service == "residence" and "Pobytové poradenství" or "Asistence").check()
        page.get_by_role("button", name="Add counter").click()
        saved(page)
    page.get_by_role("link", name="1", exact=True).click()
    page.locator("#names-vi").fill("Quầy số 1")
    page.get_by_role("button", name="Save", exact=True).click()
    saved(page)
    assert audit(page) == []

    kiosk = browser.new_context(viewport={"width": 1080, "height": 1920}, device_scale_factor=0.5).new_page()
    display = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    kiosk.goto(f"{url}/kiosk")
    kiosk.locator("#pairing-code").wait_for()
    assert audit(kiosk) == []
    pair(kiosk, page, url, "kiosk", "Vchod")
    pair(display, page, url, "display", "Čekárna")
    display.wait_for_function("window.okenkoDisplay && window.okenkoDisplay.seq() !== null")
    page.goto(f"{url}/admin/topics")
    assert audit(page) == []

    # The admin makes the counsellor's account: she works at the new branch.
    admin.goto(f"{url}/admin/staff")
    create_account(admin, "poradkyne", "counsellor", branch="brno", languages=("Čeština", "Tiếng Việt"))
    assert audit(admin) == []

    # The counsellor takes counter 1.
    counsellor = browser.new_context(viewport={"width": 1400, "height": 900}, extra_http_headers=ENGLISH).new_page()
    sign_in(counsellor, url, "poradkyne", "poradkyne-password")
    counsellor.goto(f"{url}/counter")
    counsellor.get_by_role("button", name="Take 1", exact=True).click()
    counsellor.wait_for_url(re.compile(r".*/counter/\d+$"))

    # A Vietnamese visitor at the new kiosk.
    kiosk.reload()
    kiosk.get_by_role("button", name="Tiếng Việt").click()
    kiosk.get_by_role("button", name="Tư vấn cư trú").click()
    kiosk.locator("#ticket-number").wait_for()
    assert kiosk.locator("#ticket-number").inner_text() == "R-001"

    counsellor.wait_for_function("!document.querySelector('[data-action=call-next]').disabled")
    counsellor.keyboard.press("n")
    counsellor.locator("#ticket-number").filter(has_text="R-001").wait_for()
    display.wait_for_function("document.getElementById('current-number').textContent === 'R-001'")
    # The counter by its number, and by the name the coordinator gave it in the visitor's language.
    counter = display.locator("#current-counter")
    assert counter.locator(".counter-number").inner_text() == "1"
    assert counter.locator(".counter-name").inner_text() == "Quầy số 1"
    assert counter.locator(".counter-name").get_attribute("lang") == "vi"

    # Every step is in the audit trail.
    admin.goto(f"{url}/admin/audit")
    trail = admin.locator("table").inner_text()
    for action in ("staff.created", "branch.created", "branch.updated", "service.created", "counter.created",
                   "device.created"):
        assert action in trail, action
    assert audit(admin) == []
