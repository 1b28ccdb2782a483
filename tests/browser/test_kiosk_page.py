"""The kiosk in Chromium, as a visitor uses it: language → service → ticket."""
from __future__ import annotations

import re

from sqlalchemy import select

from models import Branch, Counter, Device, Ticket
from okenko.runtime import runtime

from ..conftest import DEMO_SECRET
from ..printers.fake_printer import closed_port


def open_counters(app, branch: str = "praha-iv", *names: str) -> None:
    queue = runtime(app).queue
    with runtime(app).reader() as session:
        ids = session.execute(select(Counter.id).join(Counter.branch).where(
            Counter.name.in_(names or ("Přepážka 2", "Tlumočníci")))).scalars().all()
    for counter_id in ids:
        queue.open_counter(counter_id, languages=["vi", "ar"])


def last_ticket(app) -> Ticket:
    with runtime(app).reader() as session:
        return session.execute(select(Ticket).order_by(Ticket.id.desc())).scalars().first()


def register(page, server, branch="praha-iv"):
    page.goto(f"{server.url}/kiosk?token={DEMO_SECRET}&branch={branch}")
    assert page.url == f"{server.url}/kiosk"      # the token left the address bar for a cookie


def test_vietnamese_visitor_gets_a_ticket(live_server, portrait):
    server = live_server()
    open_counters(server.app)
    page = portrait
    register(page, server)
    page.get_by_role("button", name="Tiếng Việt").click()
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_role("heading", name="Bạn cần giúp đỡ về việc gì?").wait_for()
    page.get_by_role("button", name="Tư vấn cư trú").click()
    number = page.locator("#ticket-number")
    number.wait_for()
    ticket = last_ticket(server.app)
    assert number.inner_text() == ticket.label == "R-001"
    assert ticket.language == "vi"
    assert page.locator("#ticket-service").inner_text() == "Tư vấn cư trú"
    assert page.locator("#ticket-ahead").inner_text() == "Bạn là người tiếp theo."
    page.wait_for_function("document.getElementById('ticket-qr').naturalWidth > 0")   # the QR image loaded
    page.screenshot(path=str(server.app.instance_path) + "/kiosk-vi.png")
    page.get_by_role("button", name="Xong").click()
    page.get_by_role("button", name="Tiếng Việt").wait_for()


def test_arabic_is_right_to_left(live_server, landscape):
    server = live_server()
    open_counters(server.app)
    page = landscape
    register(page, server)
    page.get_by_role("button", name="العربية").click()
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.get_by_role("button", name="الترجمة الفورية").click()
    page.locator("#ticket-number").wait_for()
    assert page.locator("#ticket-number").inner_text() == last_ticket(server.app).label == "I-001"
    assert page.locator("html").get_attribute("lang") == "ar"
    page.screenshot(path=str(server.app.instance_path) + "/kiosk-ar.png")


def test_unavailable_services_say_why_and_cannot_be_chosen(live_server, landscape):
    server = live_server()
    open_counters(server.app)
    page = landscape
    register(page, server)
    page.get_by_role("button", name="English").click()
    legal = page.locator("button[data-service=legal]")
    legal.wait_for()
    assert legal.get_attribute("aria-disabled") == "true"
    assert "nobody is serving it" in legal.inner_text()
    legal.click(force=True)  # a visitor taps it anyway
    assert page.locator("#step-service").is_visible()
    assert last_ticket(server.app) is None


def test_keyboard_only_flow_and_escape_goes_back(live_server, landscape):
    server = live_server()
    open_counters(server.app)
    page = landscape
    register(page, server)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.lang") == "cs"
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="S čím potřebujete pomoci?").wait_for()
    page.keyboard.press("Escape")
    page.get_by_role("heading", name="Zvolte jazyk · Choose your language").wait_for()


def test_printer_failure_shows_the_ticket_and_offers_one_reprint(live_server, landscape):
    server = live_server(printer=f"tcp://127.0.0.1:{closed_port()}")
    open_counters(server.app)
    page = landscape
    register(page, server)
    page.get_by_role("button", name="Français").click()
    page.get_by_role("button", name="Conseil sur le droit au séjour").click()
    page.locator("#ticket-number").wait_for()
    assert "L'imprimante ne fonctionne pas" in page.locator("#ticket-print").inner_text()
    again = page.get_by_role("button", name="Imprimer à nouveau")
    assert again.is_visible()
    again.click()
    page.wait_for_function("document.getElementById('reprint').hidden === true")  # failed again: no more tries
    assert page.locator("#ticket-number").inner_text() == "R-001"


def test_idle_screen_warns_and_gives_more_time(live_server, landscape):
    server = live_server()
    open_counters(server.app)
    page = landscape
    page.clock.install()
    register(page, server)
    page.get_by_role("button", name="English").click()
    page.clock.fast_forward(46_000)
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert "returns to the start in" in dialog.inner_text()
    page.get_by_role("button", name="I need more time").click()
    assert not dialog.is_visible()
    assert page.locator("#step-service").is_visible()
    page.clock.fast_forward(46_000)
    dialog.wait_for()
    page.clock.fast_forward(21_000)
    page.get_by_role("button", name="Čeština").wait_for()
    assert page.locator("#step-language").is_visible()


def test_kiosk_page_is_light(live_server, landscape):
    server = live_server()
    sizes = []
    landscape.on("response", lambda response: sizes.append(len(response.body())))
    register(landscape, server)
    landscape.wait_for_load_state("networkidle")
    assert sum(sizes) < 200 * 1024, sizes


def test_unregistered_kiosk_shows_a_pairing_code(live_server, landscape):
    server = live_server()
    response = landscape.goto(f"{server.url}/kiosk")
    assert response.status == 403
    code = landscape.locator("#pairing-code")
    code.filter(has_text=re.compile(r"^[A-Z0-9]{3} [A-Z0-9]{3}$")).wait_for()
    assert "token" not in landscape.url


def test_a_busy_server_makes_the_kiosk_wait_say_so_and_try_again(live_server, portrait):
    server = live_server()
    open_counters(server.app)
    page = portrait
    register(page, server)
    answers = {"busy": 0, "held": []}

    def busy_once_then_hold(route):
        if answers["busy"] == 0:
            answers["busy"] += 1
            return route.fulfill(status=503, headers={"Retry-After": "0", "Content-Type": "application/json"},
                                 body='{"error": "busy", "message": "The server is busy"}')
        answers["held"].append(route)  # the retry: held until the visitor has been told
        return None

    page.route("**/api/v1/tickets", busy_once_then_hold)
    page.get_by_role("button", name="Tiếng Việt").click()
    page.get_by_role("button", name="Tư vấn cư trú").click()
    status = page.locator("#step-busy .busy")
    status.wait_for()
    page.wait_for_function("document.querySelector('#step-busy .busy').textContent.startsWith('Hiện có')")
    assert status.inner_text() == "Hiện có nhiều người đang lấy phiếu. Vui lòng đợi một chút, chúng tôi đang thử lại…"
    assert status.get_attribute("role") == "status"  # read out by screen readers
    for _ in range(100):  # each round trip to the page lets Playwright deliver the retried request
        if answers["held"]:
            break
        page.evaluate("0")
    assert len(answers["held"]) == 1
    answers["held"][0].continue_()
    page.locator("#ticket-number").wait_for()
    assert page.locator("#ticket-number").inner_text() == last_ticket(server.app).label == "R-001"


def test_the_kiosk_page_tells_the_board_it_is_alive(live_server, portrait):
    server = live_server()
    with portrait.expect_response(lambda response: "/api/v1/kiosk/heartbeat" in response.url) as beat:
        register(portrait, server, branch="praha-iii")
    assert beat.value.status == 204
    with runtime(server.app).reader() as session:
        seen = session.execute(select(Device.last_seen_at).join(Device.branch).where(
            Device.kind == "kiosk", Branch.code == "praha-iii")).scalar_one()
    assert seen is not None
