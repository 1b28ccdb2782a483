"""Counsellor and interpreter consoles in Chromium, with a display watching the branch."""
from __future__ import annotations

from ..api.helpers import issue
from ..conftest import DEMO_SECRET


def sign_in_and_take(page, url: str, username: str, counter: str) -> None:
    page.goto(f"{url}/staff/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_SECRET)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Choose a counter").wait_for()
    page.locator("section", has=page.get_by_role("heading", name="Praha IV – Koněvova")) \
        .get_by_role("button", name=f"Take {counter}", exact=True).click()
    page.get_by_role("heading", name=counter).wait_for()


def test_counsellor_transfers_to_interpreting_and_the_interpreter_calls(live_server, browser):
    server = live_server()
    headers = {"Accept-Language": "en"}
    counsellor = browser.new_context(viewport={"width": 1400, "height": 900}, extra_http_headers=headers).new_page()
    interpreter = browser.new_context(viewport={"width": 1400, "height": 900}, extra_http_headers=headers).new_page()
    display = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    display.goto(f"{server.url}/display?token={DEMO_SECRET}&branch=praha-iv")
    display.wait_for_function("window.okenkoDisplay && window.okenkoDisplay.seq() !== null")

    ticket = issue(server.app.test_client(), service="residence", language="ru").json
    sign_in_and_take(counsellor, server.url, "counsellor", "Přepážka 2")
    counsellor.wait_for_function("!document.querySelector('[data-action=call-next]').disabled")
    counsellor.keyboard.press("n")                                   # Call next
    counsellor.locator("#ticket-number").filter(has_text=ticket["number"]).wait_for()
    display.wait_for_function(f"document.getElementById('current-number').textContent === '{ticket['number']}'")
    assert display.locator("#current-counter .counter-number").inner_text() == "2"

    counsellor.get_by_role("button", name="Start").click()
    counsellor.locator("#ticket-status").filter(has_text="serving").wait_for()
    counsellor.get_by_role("button", name="Transfer").click()
    transfer = counsellor.get_by_role("dialog", name="Transfer to")
    transfer.get_by_label("Service").select_option("interpreting")
    transfer.get_by_label("Counter (optional)").select_option(label="Tlumočníci")
    counsellor.get_by_role("dialog").get_by_role("button", name="Transfer").click()
    counsellor.locator("#nobody").wait_for()

    sign_in_and_take(interpreter, server.url, "interpreter-ru", "Tlumočníci")
    interpreter.locator("#queues td", has_text="1").first.wait_for()
    interpreter.get_by_role("button", name="Call next").click()
    interpreter.locator("#ticket-number").filter(has_text=ticket["number"]).wait_for()
    assert "transferred (Pobytové poradenství → Tlumočení)" in interpreter.locator("#ticket-history").inner_text()
    # The interpreters' desk: its number, and its name in the visitor's language (Russian).
    display.wait_for_function("document.querySelector('#current-counter .counter-name')"
                              "?.textContent === 'Переводчики'")
    assert display.locator("#current-counter .counter-number").inner_text() == "4"
    assert display.locator("#current-number").inner_text() == ticket["number"]
    interpreter.screenshot(path=f"{server.app.instance_path}/console.png")


def test_interpreter_request_reaches_the_interpreter_live(live_server, browser):
    server = live_server()
    headers = {"Accept-Language": "en"}
    counsellor = browser.new_context(viewport={"width": 1400, "height": 900}, extra_http_headers=headers).new_page()
    interpreter = browser.new_context(viewport={"width": 1400, "height": 900}, extra_http_headers=headers).new_page()
    ticket = issue(server.app.test_client(), service="assistance", language="vi").json
    sign_in_and_take(counsellor, server.url, "counsellor", "Přepážka 2")
    sign_in_and_take(interpreter, server.url, "interpreter-vi", "Tlumočníci")
    counsellor.wait_for_function("!document.querySelector('[data-action=call-next]').disabled")
    counsellor.get_by_role("button", name="Call next").click()
    counsellor.locator("#ticket-number").filter(has_text=ticket["number"]).wait_for()
    counsellor.keyboard.press("i")
    counsellor.locator("#interpreter-status").filter(has_text="Interpreter requested").wait_for()
    request = interpreter.locator("#requests li", has_text=ticket["number"])
    request.wait_for()                                            # arrived over the socket, no reload
    request.get_by_role("button", name="Accept").click()
    counsellor.locator("#interpreter-status").filter(has_text="Interpreter coming: Tlumočník (VI)").wait_for()
    interpreter.locator("#requests li", has_text=ticket["number"]).get_by_role(
        "button", name="Finish interpreting").wait_for()


def test_reception_issues_and_cancels(live_server, browser):
    server = live_server()
    page = browser.new_context(extra_http_headers={"Accept-Language": "en"}).new_page()
    page.goto(f"{server.url}/staff/login?next=/reception")
    page.get_by_label("Username").fill("receptionist")
    page.get_by_label("Password").fill(DEMO_SECRET)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Reception").wait_for()
    page.get_by_label("Branch").select_option("praha-iv")
    page.get_by_label("Service").select_option("legal")
    page.get_by_label("Language").select_option("fr")
    page.get_by_label("Priority: vulnerable client", exact=False).check()
    page.get_by_label("Print the ticket").uncheck()
    page.get_by_role("button", name="Issue ticket").click()
    page.locator("#message").filter(has_text="Issued L-001").wait_for()
    row = page.locator("#tickets tr", has_text="L-001")
    row.wait_for()
    row.get_by_role("button", name="Cancel ticket").click()
    row.wait_for(state="detached")
