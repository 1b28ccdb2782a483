"""The phone status page, opened from the ticket's QR code."""
from __future__ import annotations

from playwright.sync_api import expect

from ..api.helpers import issue
from .test_kiosk_page import open_counters


def test_status_page_speaks_the_tickets_language_and_follows_the_call(live_server, browser):
    server = live_server()
    open_counters(server.app, "praha-iv", "Přepážka 2")
    ticket = issue(server.app.test_client(), service="residence", language="uk").json
    page = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    page.goto(ticket["status_url"].replace("https://okenko.example", server.url))
    assert page.locator("html").get_attribute("lang") == "uk"
    assert page.locator("h1").inner_text() == "R-001"
    assert page.locator("#status").inner_text() == "У черзі"
    assert page.locator("#ahead").inner_text() == "Наступний виклик — ваш."
    can_ask = page.evaluate("window.Notification ? Notification.permission === 'default' : false")
    if can_ask:                                                     # offered while waiting, once the
        expect(page.locator("#notify")).to_be_visible()             # page's service worker is ready
    else:
        assert page.locator("#notify").is_hidden()

    from sqlalchemy import select

    from models import Counter
    from okenko.runtime import runtime
    with runtime(server.app).reader() as session:
        desk = session.execute(select(Counter.id).where(Counter.name == "Přepážka 2").join(Counter.branch)
                               .where(Counter.branch.has(code="praha-iv"))).scalar_one()
    runtime(server.app).queue.call_next(desk)
    # Pushed over the socket the moment it is called: no polling interval to wait for.
    page.wait_for_function("document.getElementById('status').textContent === 'Ваша черга!'", timeout=2000)
    assert page.locator("#counter").inner_text() == "Ваше віконце: Přepážka 2"
    assert page.locator("#ahead").is_hidden()
    assert page.locator("#notify").is_hidden()                       # nothing left to be notified of


def test_unknown_ticket_page_is_404(live_server, browser):
    server = live_server()
    page = browser.new_page()
    assert page.goto(f"{server.url}/t/no-such-ticket").status == 404
    assert page.goto(f"{server.url}/t/no-such-ticket/qr.svg").status == 404
