"""The whole visitor path in Chromium, once per script family: kiosk → phone page → booking, with
screenshots, and no text clipped or pushed off the screen (Latin, Cyrillic, Vietnamese, Arabic RTL)."""
from __future__ import annotations

import tomllib

import pytest
from playwright.sync_api import expect

from okenko.i18n import SOURCES

from .test_kiosk_page import last_ticket, open_counters, register

GLOSSARY = tomllib.loads((SOURCES / "glossary.toml").read_text(encoding="utf-8"))
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}

# language: (its button on the kiosk, "Leave the queue", "This ticket was cancelled.", "Show on a map")
FAMILIES = {
    "fr": ("Français", "Quitter la file d'attente", "Ce ticket a été annulé.", "Voir sur une carte"),
    "ru": ("Русский", "Выйти из очереди", "Этот талон отменён.", "Показать на карте"),
    "vi": ("Tiếng Việt", "Rời hàng chờ", "Phiếu này đã bị hủy.", "Xem trên bản đồ"),
    "ar": ("العربية", "مغادرة قائمة الانتظار", "تم إلغاء هذه التذكرة.", "عرض على الخريطة"),
}

# Every visible element: inside the viewport horizontally, and its content not wider than its box.
CLIPPED = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width) problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest(".sr, .skip, dialog:not([open]), [hidden], script")) continue;
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const name = `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${el.className} "${(el.textContent || "").trim().slice(0, 30)}"`;
    if (box.left < -1 || box.right > width + 1) problems.push(`${name} outside: ${box.left}..${box.right} of ${width}`);
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && !["auto", "scroll"].includes(style.overflowX))
      problems.push(`${name} clipped: ${el.scrollWidth} > ${el.clientWidth}`);
  }
  return problems;
}"""


def check_layout(page, path: str) -> None:
    page.screenshot(path=path, full_page=True)
    assert page.evaluate(CLIPPED) == [], path


@pytest.mark.parametrize("language", list(FAMILIES))
def test_kiosk_phone_and_booking_in_each_script(language, live_server, browser, tmp_path):
    native, leave, cancelled, map_link = FAMILIES[language]
    service = GLOSSARY["services"]["residence"][language]
    server = live_server()
    open_counters(server.app)

    # The kiosk: a ticket in the visitor's language.
    kiosk = browser.new_context(viewport={"width": 1080, "height": 1920}, device_scale_factor=0.5, has_touch=True)
    page = kiosk.new_page()
    register(page, server)
    page.get_by_role("button", name=native).click()
    assert page.locator("html").get_attribute("lang") == language
    check_layout(page, str(tmp_path / f"kiosk-services-{language}.png"))
    page.get_by_role("button", name=service).click()
    page.locator("#ticket-number").wait_for()
    check_layout(page, str(tmp_path / f"kiosk-ticket-{language}.png"))
    ticket = last_ticket(server.app)
    kiosk.close()

    # The phone page, from the ticket's QR code: notifications through the service worker.
    phone = browser.new_context(**PHONE)
    phone.grant_permissions(["notifications"], origin=server.url)
    page = phone.new_page()
    page.goto(f"{server.url}/t/{ticket.token}")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    page.wait_for_function("navigator.serviceWorker.getRegistration('/t/').then(r => Boolean(r && r.active))")
    # The page learns of the worker a moment later (its own `serviceWorker.ready`), then says so.
    expect(page.locator("#notify-on")).to_be_visible()
    check_layout(page, str(tmp_path / f"phone-{language}.png"))
    page.get_by_role("button", name=leave, exact=True).click()
    check_layout(page, str(tmp_path / f"phone-leave-{language}.png"))
    page.locator("#leave-yes").click()
    page.wait_for_function(f"document.getElementById('status').textContent === {cancelled!r}")
    assert page.locator("#leave").is_hidden()
    phone.close()

    # Booking on the phone: day grid, times by part of the day, confirmation with a map link.
    booking = browser.new_context(**PHONE)
    page = booking.new_page()
    page.goto(f"{server.url}/book/praha-iv/residence?lang={language}&in={language}")
    check_layout(page, str(tmp_path / f"booking-slots-{language}.png"))
    page.locator("input[name=start]:not([disabled])").first.check()
    page.locator("form.slot-form button[type=submit]").click()
    page.locator("#appointment-code").wait_for()
    assert page.get_by_role("link", name=map_link).get_attribute("href").startswith(
        "https://www.openstreetmap.org/search?query=")
    check_layout(page, str(tmp_path / f"booking-confirmation-{language}.png"))
    heights = page.locator(".actions li > *").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert len(set(round(h) for h in heights)) == 1, heights          # buttons of equal height
    booking.close()


def test_service_worker_and_manifest_are_served_and_registered(live_server, browser):
    from ..api.helpers import issue
    server = live_server()
    ticket = issue(server.app.test_client(), language="cs").json
    context = browser.new_context(**PHONE)
    context.grant_permissions(["notifications"], origin=server.url)
    page = context.new_page()
    page.goto(f"{server.url}/t/{ticket['token']}")
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{server.url}/t/"
    manifest = page.evaluate("""async () => {
        const link = document.querySelector('link[rel=manifest]');
        const response = await fetch(link.href);
        return {type: response.headers.get('content-type'), body: await response.json()};
    }""")
    assert manifest["type"].startswith("application/manifest+json")
    assert manifest["body"]["start_url"].startswith(f"/t/{ticket['token']}")
    assert manifest["body"]["display"] == "standalone"
    shown = page.evaluate("""async () => {
        const registration = await navigator.serviceWorker.ready;
        await registration.showNotification('R-001', {tag: 'okenko-test'});
        return (await registration.getNotifications({tag: 'okenko-test'})).length;
    }""")
    assert shown == 1
    context.close()
