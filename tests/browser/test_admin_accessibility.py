"""axe-core on every administration page, with the demo office in it (Czech, as staff see it)."""
from __future__ import annotations

from ..api.helpers import counter_id
from ..conftest import DEMO_SECRET
from .test_accessibility import audit  # noqa: F401  (fixture)


def test_every_admin_page_passes_axe(live_server, browser, audit):  # noqa: F811
    server = live_server()
    desk = counter_id(server.app, "praha-iv", "Tlumočníci")
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(f"{server.url}/staff/login")
    page.locator("#username").fill("admin")
    page.locator("#password").fill(DEMO_SECRET)
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{server.url}/counter")
    page.goto(f"{server.url}/admin/slides")
    page.locator("#title").fill("Nová otevírací doba")
    page.locator("button.primary").click()
    page.locator(".flash").wait_for()
    slide = page.get_by_role("link", name="Nová otevírací doba").get_attribute("href")
    for path in ("/", "/admin", "/admin/branches/praha-iv", "/admin/branches/praha-iv/services/residence",
                 f"/admin/branches/praha-iv/counters/{desk}", "/admin/topics", "/admin/slides", slide,
                 f"{slide}/preview", "/admin/staff", "/admin/staff/lawyer", "/admin/audit"):
        page.goto(server.url + path)
        assert audit(page) == [], path
