"""The kiosk for visitors who cannot read the screen, need bigger text, use a keypad or need a
person (EN 301 549 §5), and practice mode, in Chromium against a live server."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select

from models import Event, Ticket, TicketSequence
from okenko.runtime import runtime

from ..conftest import DEMO_SECRET
from ..printers.fake_printer import FakePrinter
from .test_accessibility import audit  # noqa: F401  (fixture)
from .test_kiosk_page import open_counters, register


def spoken(requests: list[str]) -> list[tuple[str, str]]:
    """(language, text) of every read-aloud request the page made."""
    out = []
    for url in requests:
        query = parse_qs(urlparse(url).query)
        out.append((query["language"][0], query["text"][0]))
    return out


def said_in(url: str, words: str) -> bool:
    return "/api/v1/kiosk/speech.wav" in url and words in parse_qs(urlparse(url).query).get("text", [""])[0]


def listen(page) -> list[str]:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/api/v1/kiosk/speech.wav" in r.url else None)
    return requests


def test_read_aloud_reads_the_language_screen_and_the_ticket(live_server, portrait):
    server = live_server()
    open_counters(server.app)
    page = portrait
    requests = listen(page)
    register(page, server)
    with page.expect_request_finished(lambda r: said_in(r.url, "Tiếng Việt")):
        page.keyboard.press("*")                                      # the read-aloud key
    assert page.get_by_role("button", name="Číst nahlas").get_attribute("aria-pressed") == "true"
    said = spoken(requests)
    assert ("cs", "Zvolte jazyk. Stiskněte číslo jazyka.") in said
    assert ("en", "Choose your language.") in said
    vietnamese = page.locator("button[data-lang=vi]")
    position = page.locator("button[data-lang]").evaluate_all("(all) => all.findIndex((b) => b.dataset.lang === 'vi')")
    assert ("vi", f"{position + 1}. Tiếng Việt") in said                  # each language in its own voice
    assert vietnamese.locator(".key-number").inner_text() == str(position + 1)
    page.keyboard.press(str(position + 1))                             # the keypad chooses it
    page.get_by_role("heading", name="Bạn cần giúp đỡ về việc gì?").wait_for()
    residence = page.locator("#services .choice").evaluate_all(
        "(all) => all.findIndex((b) => b.dataset.service === 'residence')")
    with page.expect_request_finished(lambda r: said_in(r.url, "R 1.")):
        page.keyboard.press(str(residence + 1))
    page.locator("#ticket-number").wait_for()
    ticket_said = [text for language, text in spoken(requests) if language == "vi" and "R 1." in text]
    assert ticket_said and ticket_said[-1].startswith("Số của bạn R 1. Tư vấn cư trú.")
    for url in requests[-2:]:                                          # what was read is real audio
        response = page.request.get(url)
        assert response.status == 200 and response.headers["content-type"] == "audio/wav"


@pytest.mark.parametrize("viewport", [{"width": 1080, "height": 1920}, {"width": 1920, "height": 1080}],
                         ids=["portrait", "landscape"])
def test_at_200_percent_text_every_option_and_button_can_be_reached(live_server, browser, viewport):
    server = live_server()
    open_counters(server.app)
    page = browser.new_context(viewport=viewport, device_scale_factor=0.5).new_page()
    register(page, server)
    page.get_by_role("button", name="Větší písmo").click()
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") >= 36
    assert unreachable(page) == []
    page.get_by_role("button", name="Tiếng Việt").click()
    page.locator("button[data-service=legal]").wait_for()
    assert unreachable(page) == []
    page.get_by_role("button", name="Tôi đã có lịch hẹn").click()
    page.locator("#appointment-code").wait_for()
    assert unreachable(page) == []
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Tiếng Việt").click()
    page.get_by_role("button", name="Tư vấn cư trú").click()
    page.locator("#ticket-number").wait_for()
    assert unreachable(page) == []
    page.context.close()


def unreachable(page) -> list[str]:
    """Visible buttons that cannot be brought fully into view by scrolling, or are covered or cut off."""
    return page.evaluate("""() => {
        const out = [];
        if (document.documentElement.scrollWidth > innerWidth + 1) out.push('page scrolls sideways');
        for (const el of document.querySelectorAll('button')) {
          if (!el.getClientRects().length || el.closest('[hidden], dialog:not([open])')) continue;
          el.scrollIntoView({ block: 'center', inline: 'center' });
          const box = el.getBoundingClientRect();
          const inside = box.top >= -1 && box.left >= -1 && box.bottom <= innerHeight + 1 && box.right <= innerWidth + 1;
          const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
          const overflowing = el.scrollWidth > el.clientWidth + 1;
          if (!inside || !hit || !el.contains(hit) || overflowing) out.push(el.textContent.trim().slice(0, 40));
        }
        return out;
    }""")


def test_tapping_an_unavailable_service_says_when_it_opens_or_that_it_can_be_booked(live_server, landscape):
    server = live_server()
    open_counters(server.app)
    page = landscape
    register(page, server)
    page.get_by_role("button", name="English").click()
    legal = page.locator("button[data-service=legal]")
    legal.wait_for()
    legal.click(force=True)                                           # tapped anyway
    notice = page.locator("#service-notice")
    notice.wait_for()
    assert notice.inner_text() == ("Not available now: nobody is serving it at the moment. "
                                   "You can book an appointment for it.")


def test_call_staff_reaches_the_reception_page_live_until_acknowledged(live_server, browser):
    server = live_server()
    kiosk = browser.new_context(viewport={"width": 1080, "height": 1920}).new_page()
    register(kiosk, server)
    reception = browser.new_context(viewport={"width": 1400, "height": 900},
                                    extra_http_headers={"Accept-Language": "cs"}).new_page()
    reception.goto(f"{server.url}/staff/login?next=/reception")
    reception.locator("#username").fill("receptionist")
    reception.locator("#password").fill(DEMO_SECRET)
    reception.locator("form button[type=submit]").click()
    reception.locator("#branch").wait_for()
    reception.locator("#branch").select_option("praha-iv")
    reception.wait_for_function("document.getElementById('help-alerts').hidden === true")
    kiosk.get_by_role("button", name="Přivolat obsluhu").click()
    kiosk.locator("#assist-status").filter(
        has_text="Přivolali jsme pracovníka, přijde za vámi. Počkejte prosím zde.").wait_for()
    alert = reception.get_by_role("alert").filter(has_text="Terminál volá obsluhu")
    alert.wait_for(timeout=5000)                                      # pushed, not polled (15 s)
    assert alert.locator("li").count() == 1
    alert.get_by_role("button", name="Už jdu").click()
    reception.wait_for_function("document.getElementById('help-alerts').hidden === true")
    with runtime(server.app).reader() as session:
        types = session.execute(select(Event.type).where(Event.type.like("kiosk.help%")).order_by(Event.seq)).scalars()
        assert list(types) == ["kiosk.help_requested", "kiosk.help_acknowledged"]


def counts(app) -> tuple[int, int, int]:
    with runtime(app).reader() as session:
        return (session.execute(select(func.count(Event.id))).scalar_one(),
                session.execute(select(func.count(Ticket.id))).scalar_one(),
                session.execute(select(func.coalesce(func.sum(TicketSequence.last_number), 0))).scalar_one())


def test_a_practice_ticket_prints_marked_and_touches_nothing(live_server, landscape, audit):  # noqa: F811
    printer = FakePrinter()
    try:
        server = live_server(printer=printer.address)
        open_counters(server.app)
        page = landscape
        register(page, server)
        before = counts(server.app)
        snapshot = server.app.test_client().get("/api/v1/branches/praha-iv/snapshot").json
        page.keyboard.press("Control+Alt+p")                            # a social worker starts practice
        dialog = page.get_by_role("dialog")
        dialog.locator("#practice-user").fill("receptionist")
        dialog.locator("#practice-password").fill(DEMO_SECRET)
        dialog.locator("button[type=submit]").click()
        page.locator("#practice-banner").wait_for()
        assert audit(page) == []
        page.get_by_role("button", name="Tiếng Việt").click()
        page.get_by_role("button", name="Tư vấn cư trú").click()
        page.locator("#ticket-number").wait_for()
        assert page.locator("#ticket-number").inner_text() == "R-000"
        assert page.locator("#ticket-practice").inner_text() == "PRACTICE / NÁCVIK"
        assert b"PRACTICE" in printer.wait_for_job()
        assert audit(page) == []
        assert counts(server.app) == before                            # no event, ticket or number
        after = server.app.test_client().get("/api/v1/branches/praha-iv/snapshot").json
        assert after["seq"] == snapshot["seq"] and after["services"] == snapshot["services"]
    finally:
        printer.close()


def test_new_modes_are_axe_clean(live_server, landscape, audit):  # noqa: F811
    server = live_server()
    open_counters(server.app)
    page = landscape
    register(page, server)
    for name in ("Větší písmo", "Vysoký kontrast", "Číst nahlas"):
        page.get_by_role("button", name=name).click()
        assert audit(page) == [], name
    page.get_by_role("button", name="Tiếng Việt").click()
    page.locator("button[data-service=legal]").click(force=True)
    page.locator("#service-notice").wait_for()
    assert audit(page) == []
    page.get_by_role("button", name="Gọi nhân viên").click()
    page.locator("#assist-status").wait_for()
    assert audit(page) == []
