"""The kiosk, display, console and phone status page run under the Content-Security-Policy with
nothing blocked: every script is a file, no inline handler, no inline style."""
from __future__ import annotations

from ..api.helpers import issue
from ..display.test_display_page import watch
from .test_counter_console import sign_in_and_take
from .test_kiosk_page import open_counters, register

# Recorded from the first moment of every page, before any of its own scripts run.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def guarded(context):
    """A page that records CSP violations, the console's policy errors and uncaught exceptions
    (a missing favicon is a console error too, and none of this test's business)."""
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda message: message.type == "error" and "Content Security Policy" in message.text
            and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def assert_clean(page):
    assert page.evaluate("window.__violations") == []
    assert page.errors == []


def test_public_screens_and_the_console_run_without_policy_violations(live_server, browser):
    server = live_server()
    open_counters(server.app)

    kiosk = guarded(browser.new_context(viewport={"width": 1920, "height": 1080}))
    register(kiosk, server)
    kiosk.get_by_role("button", name="Tiếng Việt").click()
    kiosk.get_by_role("button", name="Tư vấn cư trú").click()
    kiosk.locator("#ticket-qr").wait_for()
    assert_clean(kiosk)

    display = watch(guarded(browser.new_context(viewport={"width": 1920, "height": 1080})), server)
    assert_clean(display)

    ticket = issue(server.app.test_client(), service="residence", language="fr").json
    phone = guarded(browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True))
    phone.goto(ticket["status_url"].replace("https://okenko.example", server.url))
    phone.locator("#status").wait_for()

    console = guarded(browser.new_context(viewport={"width": 1400, "height": 900},
                                          extra_http_headers={"Accept-Language": "en"}))
    sign_in_and_take(console, server.url, "counsellor", "Přepážka 2")
    console.wait_for_function("!document.querySelector('[data-action=call-next]').disabled")
    console.keyboard.press("n")                                   # Call next: the live parts all run
    display.wait_for_function("document.getElementById('current-number').textContent !== ''")
    for page in (kiosk, display, phone, console):
        assert_clean(page)


def test_a_blocked_inline_script_is_reported(live_server, browser):
    """The check above can fail: an inline script on our pages is refused and recorded."""
    server = live_server()
    page = guarded(browser.new_context())
    page.goto(f"{server.url}/staff/login")
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.ran = true'; document.body.append(s); }""")
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("window.ran === undefined")
    assert page.evaluate("window.__violations[0]").startswith("script-src")
