"""Appointments in Chromium: a visitor books on the public pages (keyboard and clicks), then checks in
at the kiosk by typing the code on its keypad; a counsellor books a follow-up from the console."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

from okenko.runtime import runtime

from ..conftest import DEMO_SECRET, freeze
from .test_accessibility import audit  # noqa: F401  (fixture)
from .test_kiosk_page import open_counters, register

def test_visitor_books_then_checks_in_at_the_kiosk(live_server, browser, landscape, audit):  # noqa: F811
    server = live_server()
    freeze(server.app)                                                    # Monday 09:30 in Prague
    open_counters(server.app, "praha-iv", "Přepážka 3")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN").new_page()

    phone.goto(f"{server.url}/book")
    assert phone.locator("html").get_attribute("lang") == "vi"            # the browser's language
    phone.get_by_role("link", name="Tiếng Việt").wait_for()
    assert audit(phone) == []
    phone.get_by_role("link", name=re.compile("Praha IV")).click()
    phone.get_by_role("link", name=re.compile("Tư vấn cư trú")).click()
    consult = phone.get_by_role("region", name="Chúng ta sẽ nói chuyện bằng ngôn ngữ nào?")
    consult.get_by_role("link", name="Монгол").click()                    # consult in Mongolian
    assert consult.get_by_role("link", name="Монгол").get_attribute("aria-current") == "true"
    assert audit(phone) == []
    phone.get_by_label("10:00").check()
    phone.get_by_label("Điện thoại hoặc e-mail (không bắt buộc)").fill("+420 777 000 111")
    phone.get_by_role("button", name="Đặt lịch").click()

    phone.get_by_role("heading", name="Lịch hẹn của bạn đã được đặt").wait_for()
    code = phone.locator("#appointment-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    phone.wait_for_function("document.querySelector('.qr img').naturalWidth > 0")
    assert audit(phone) == []
    booked = runtime(server.app).appointments.get(code)
    assert booked.language == "mn" and booked.contact == "+420 777 000 111"
    phone.screenshot(path=str(server.app.instance_path) + "/booking-vi.png")

    kiosk = landscape
    register(kiosk, server)
    kiosk.get_by_role("button", name="Монгол").click()
    kiosk.get_by_role("button", name="Би цаг захиалсан").click()
    assert kiosk.evaluate("document.activeElement.id") == "appointment-code"   # a scanner types here
    assert audit(kiosk) == []
    for char in code.replace("-", "")[:-1]:
        kiosk.locator("#keypad button", has_text=re.compile(f"^{char}$")).click()
    kiosk.get_by_role("button", name="Сүүлийн тэмдэгтийг устгах").click()   # a slip of the finger, erased
    for char in code.replace("-", "")[-2:]:
        kiosk.locator("#keypad button", has_text=re.compile(f"^{char}$")).click()
    kiosk.get_by_role("button", name="Бүртгүүлэх").click()

    kiosk.locator("#ticket-number").wait_for()
    assert kiosk.locator("#ticket-number").inner_text() == "R-001"
    assert kiosk.locator("#ticket-appointment").inner_text() == "Цаг захиалга 10:00"
    assert runtime(server.app).appointments.get(code).status == "checked_in"
    kiosk.screenshot(path=str(server.app.instance_path) + "/kiosk-check-in.png")


def test_kiosk_explains_a_refused_code_and_offers_a_normal_ticket(live_server, landscape):
    server = live_server()
    freeze(server.app)                                                    # Monday 09:30 in Prague
    open_counters(server.app)
    later = runtime(server.app).appointments.book("praha-iv", "residence", "fr",
                                                  datetime(2026, 11, 23, 14, tzinfo=UTC))
    page = landscape
    register(page, server)
    page.get_by_role("button", name="Français").click()
    page.get_by_role("button", name="J'ai un rendez-vous").click()
    page.keyboard.type(f"https://okenko.example/a/{later.code}")           # as a USB scanner types a QR
    page.keyboard.press("Enter")
    problem = page.get_by_role("alert")
    problem.wait_for()
    assert problem.inner_text().startswith("C'est un peu tôt. Vous pourrez signaler votre arrivée à partir de 14:30")
    page.get_by_role("button", name="Prendre un ticket normal").click()
    page.get_by_role("button", name="Conseil sur le droit au séjour").click()
    page.locator("#ticket-number").wait_for()
    assert page.locator("#ticket-number").inner_text() == "R-001"


def test_counsellor_books_a_follow_up_for_the_client(live_server, browser):
    from .test_counter_console import sign_in_and_take  # the console's own steps
    server = live_server()
    freeze(server.app)                                                    # Monday 09:30 in Prague
    ticket = server.app.test_client().post("/api/v1/tickets", json={
        "branch": "praha-iv", "service": "residence", "language": "uk"},
        headers={"Authorization": f"Bearer {DEMO_SECRET}"}).json
    page = browser.new_context(viewport={"width": 1400, "height": 900},
                               extra_http_headers={"Accept-Language": "en"}).new_page()
    sign_in_and_take(page, server.url, "counsellor", "Přepážka 2")
    page.wait_for_function("!document.querySelector('[data-action=call-next]').disabled")
    page.keyboard.press("n")
    page.locator("#ticket-number", has_text=ticket["number"]).wait_for()
    page.keyboard.press("b")                                              # Book follow-up
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Branch").select_option("praha-iii")
    dialog.get_by_label("Service").select_option("residence")
    assert dialog.get_by_label("Language").input_value() == "uk"          # the client's language
    dialog.get_by_label("Day").fill("2026-11-24")
    # The branch's clock (opens 08:00 in Prague), not this browser's UTC. The day's slots replace
    # today's (first free 10:00) once they arrive: wait for them rather than read the old list.
    page.wait_for_function("(document.querySelector('#referral-slots label') || {}).innerText"
                           "?.trim().startsWith('08:00')", timeout=5000)
    dialog.locator("#referral-slots input").first.check()
    dialog.get_by_role("button", name="Book", exact=True).click()
    code = page.locator("#referral-code")
    code.wait_for()
    page.wait_for_function("document.getElementById('referral-qr').naturalWidth > 0")
    referred = runtime(server.app).appointments.get(code.inner_text())
    assert referred.branch == "praha-iii" and referred.referral and referred.language == "uk"


def test_another_sites_form_books_and_cancels_nothing(live_server, browser):
    """Chromium says where a form comes from: another site's page (here an opaque one) is refused, the
    visitor is shown our own page, and the same action from it goes through."""
    server = live_server()
    freeze(server.app)                                                    # Monday 09:30 in Prague
    book = runtime(server.app).appointments
    kept = book.book("praha-iv", "residence", "en", datetime(2026, 11, 24, 9, tzinfo=UTC))
    page = browser.new_context(locale="en-GB").new_page()                # about:blank: no origin of ours

    page.set_content(f'<form method="post" action="{server.url}/a/{kept.code}/cancel">'
                     '<input type="hidden" name="lang" value="en"><button>Win a prize</button></form>')
    page.get_by_role("button", name="Win a prize").click()
    page.get_by_role("heading", name="Do you really want to cancel this appointment?").wait_for()
    assert book.get(kept.code).status == "booked"
    page.get_by_role("button", name="Yes, cancel the appointment").click()          # from our own page
    page.wait_for_url(re.compile(f"/a/{kept.code}\\?lang=en$"))
    assert book.get(kept.code).status == "cancelled"

    page = page.context.new_page()                                        # about:blank again: no origin
    page.set_content(f'<form method="post" action="{server.url}/book/praha-iv/residence">'
                     '<input type="hidden" name="lang" value="en"><input type="hidden" name="in" value="en">'
                     '<input type="hidden" name="start" value="2026-11-24T10:00:00+01:00"><button>Go</button></form>')
    page.get_by_role("button", name="Go").click()
    page.get_by_role("alert").wait_for()
    assert page.get_by_role("alert").inner_text() == \
        "This choice was sent from another website. Please choose again here."
    ten = next(s for s in book.slots("praha-iv", "residence", date(2026, 11, 24))
               if s["start"] == datetime(2026, 11, 24, 9, tzinfo=UTC))
    assert ten["free"] == 2                                               # nobody booked: both places free
