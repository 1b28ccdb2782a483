"""The statistics page and the live operations board in Chromium, as a coordinator: axe-core clean;
the board updates when a ticket is issued and raises an alert when the kiosk's printer runs out of paper."""
from __future__ import annotations

import pytest

from ..api.helpers import issue
from ..conftest import DEMO_SECRET
from ..printers.fake_printer import PAPER_OUT, FakePrinter
from .test_accessibility import audit  # noqa: F401 (fixture)


@pytest.fixture
def printer_out_of_paper():
    fake = FakePrinter(paper=PAPER_OUT)
    yield fake
    fake.close()


def sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/staff/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_SECRET)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda address: "/staff/login" not in address)


def test_statistics_and_live_board(live_server, browser, audit, printer_out_of_paper):  # noqa: F811
    server = live_server(printer=printer_out_of_paper.address)
    page = browser.new_context(viewport={"width": 1400, "height": 900},
                               extra_http_headers={"Accept-Language": "en"}).new_page()
    sign_in(page, server.url, "coordinator")

    page.goto(f"{server.url}/statistics?period=year")
    page.get_by_role("heading", name="Tickets by service").wait_for()
    assert page.get_by_role("img", name="Tickets by weekday and hour").count() == 1
    assert audit(page) == []

    page.goto(f"{server.url}/board")
    queues = page.locator("#queues-praha-iv")
    queues.locator("tr", has_text="Assistance").locator("td").first.filter(has_text="0").wait_for()
    assert page.locator("[data-alert]").count() == 0
    assert audit(page) == []

    response = issue(server.app.test_client(), service="assistance", language="vi")
    assert response.status_code == 201 and response.json["print"]["status"] == "failed"
    queues.locator("tr", has_text="Assistance").locator("td").first.filter(has_text="1").wait_for()
    alert = page.locator("#board [role=alert]")
    alert.wait_for()
    assert "paper out" in alert.inner_text()
    assert audit(page) == []
