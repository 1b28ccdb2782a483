"""The waiting-room display in Chromium."""
from __future__ import annotations

import time

from ..api.helpers import counter_id, issue, staff_headers
from ..conftest import DEMO_SECRET


def open_desk(app):
    """A test client, a counsellor's headers, and Přepážka 2 of Praha IV, open."""
    client = app.test_client()
    staff = staff_headers(client, "counsellor")
    desk = counter_id(app, "praha-iv", "Přepážka 2")
    client.post(f"/api/v1/counters/{desk}/open", headers=staff)
    return client, staff, desk


def watch(page, server):
    """The branch's display, once it has its first snapshot."""
    page.goto(f"{server.url}/display?token={DEMO_SECRET}&branch=praha-iv")
    page.wait_for_function("window.okenkoDisplay && window.okenkoDisplay.seq() !== null")
    return page


def test_display_shows_a_new_call_within_a_second(live_server, landscape):
    server = live_server()
    client, staff, desk = open_desk(server.app)
    page = watch(landscape, server)
    assert page.locator("#queues li").count() == 4
    assert page.locator("#current").is_hidden()                      # nothing called yet: no empty box
    issue(client, service="residence", language="ru")
    started = time.monotonic()
    called = client.post(f"/api/v1/counters/{desk}/call-next", headers=staff).json
    page.wait_for_function(f"document.getElementById('current-number').textContent === '{called['number']}'",
                           timeout=1000)
    elapsed = time.monotonic() - started
    assert page.locator("#current-counter").inner_text() == "Přepážka 2"
    assert page.locator("#recent li").first.inner_text().startswith(called["number"])
    assert elapsed < 1.0
    assert page.locator("#slide-title").inner_text() != ""         # enlightenment slides rotate
    assert not overflowing(page, "#current > *, #queues li > *, #slide > *"), "cut off on the screen"
    page.screenshot(path=f"{server.app.instance_path}/display.png")


def test_display_page_needs_a_display_device(live_server, landscape):
    server = live_server()
    assert landscape.goto(f"{server.url}/display").status == 403


def overflowing(page, selector: str) -> list[str]:
    """Texts of visible elements that stick out of their box or of the screen."""
    return page.evaluate("""(selector) => [...document.querySelectorAll(selector)].filter((el) => {
        if (el.hidden || !el.getClientRects().length) return false;
        const box = el.getBoundingClientRect(), parent = el.parentElement.getBoundingClientRect();
        return box.left < parent.left - 1 || box.right > parent.right + 1 || box.bottom > parent.bottom + 1
            || box.right > innerWidth || box.bottom > innerHeight;
    }).map((el) => el.textContent)""", selector)


def test_a_long_call_and_long_queue_states_stay_on_the_screen(live_server, landscape):
    server = live_server()
    client, staff, desk = open_desk(server.app)
    page = watch(landscape, server)
    # Legal counselling has nobody serving: its row says so at length ("not available now").
    assert "not available now" in page.locator("#queues li", has_text="L ·").inner_text()
    for _ in range(9):                                   # more recent calls than the screen has room for
        issue(client, service="residence", language="ru")
        called = client.post(f"/api/v1/counters/{desk}/call-next", headers=staff).json
        client.post(f"/api/v1/tickets/{called['id']}/no-show", headers=staff)
    page.wait_for_function(f"document.getElementById('current-number').textContent === '{called['number']}'")
    page.wait_for_function("!document.getElementById('current').classList.contains('fresh')", timeout=15000)
    assert not overflowing(page, "#current > *, #queues li > *, #slide, #slide > *, #recent li")
    assert page.locator("#recent li").count() >= 3                  # whole rows, as many as fit
