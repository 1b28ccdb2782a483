"""Automated WCAG 2.2 AA checks (axe-core, from the npm registry at test time) on the public pages:
a queuing kiosk is a self-service terminal under the European Accessibility Act."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from ..api.helpers import issue
from ..conftest import DEMO_SECRET
from .test_kiosk_page import open_counters, register

AXE = Path(os.environ.get("OKENKO_AXE", Path(__file__).resolve().parents[2] / ".cache/npm/node_modules/axe-core/axe.min.js"))
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def audit():
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"{AXE} missing: `make test` installs axe-core")
        pytest.skip("axe-core not installed (make test installs it)")
    script = AXE.read_text()

    def run(page) -> list[str]:
        # Through the devtools protocol, not as a <script> tag: the pages' CSP refuses inline scripts.
        page.evaluate(f"() => {{ {script}\n }}")
        result = page.evaluate(f"axe.run(document, {{runOnly: {{type: 'tag', values: {TAGS}}}}})")
        # Every violation counts, whatever axe's impact level: these pages are for everyone.
        return [f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
                for v in result["violations"]]
    return run


def test_kiosk_steps(live_server, landscape, audit):
    server = live_server()
    open_counters(server.app)
    page = landscape
    register(page, server)
    assert audit(page) == []
    page.get_by_role("button", name="Tiếng Việt").click()
    page.locator("button[data-service=legal]").wait_for()
    assert audit(page) == []
    page.get_by_role("button", name="Tư vấn cư trú").click()
    page.locator("#ticket-number").wait_for()
    assert audit(page) == []


def test_phone_status_and_display(live_server, browser, audit):
    server = live_server()
    ticket = issue(server.app.test_client(), language="ar").json
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(ticket["status_url"].replace("https://okenko.example", server.url))
    assert audit(phone) == []
    display = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    display.goto(f"{server.url}/display?token={DEMO_SECRET}&branch=praha-iv")
    display.wait_for_function("window.okenkoDisplay && window.okenkoDisplay.seq() !== null")
    assert audit(display) == []


def test_booking_pages_right_to_left(live_server, browser, audit):
    server = live_server()
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    for path in ("/book?lang=ar", "/book/praha-iii/residence?lang=ar", "/a?code=nonsense&lang=ar"):
        page.goto(server.url + path)
        assert audit(page) == [], path
        # Nothing sticks out sideways: a phone shows the page, not an empty margin.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
