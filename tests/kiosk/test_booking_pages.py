"""The public booking pages without a browser: the whole walk, the visitor's language, the
appointment's page, its calendar file (parsed back), cancel and rebook, and friendly refusals."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from okenko.runtime import runtime

from ..conftest import freeze

@pytest.fixture
def client(app):
    freeze(app)
    return app.test_client()


def form_of(page: str) -> dict:
    return {"starts": re.findall(r'name="start" value="([^"]+)"(?! disabled)', page)}


def book(client, lang="vi", consult="vi", service="residence", date="2026-11-24", contact=""):
    page = client.get(f"/book/praha-iv/{service}?lang={lang}&in={consult}&date={date}").get_data(as_text=True)
    form = form_of(page)
    return client.post(f"/book/praha-iv/{service}", data={"lang": lang, "in": consult, "start": form["starts"][0],
                                                          "contact": contact})


def test_the_walk_from_branch_to_slot_in_the_visitors_language(client):
    branches = client.get("/book?lang=vi").get_data(as_text=True)
    assert 'lang="vi"' in branches and "Praha IV – Koněvova" in branches
    services = client.get("/book/praha-iv?lang=vi").get_data(as_text=True)
    assert "Tư vấn cư trú" in services and "Hỗ trợ" not in services          # assistance takes no appointments
    slots = client.get("/book/praha-iv/residence?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in slots and 'aria-current="date"' in slots
    response = book(client, contact="+420 777 000 111")
    assert response.status_code == 303
    code = response.headers["Location"].split("/a/")[1].split("?")[0]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{code[:4]}-{code[4:]}" in page and 'lang="vi"' in page
    assert "+420" not in page                                                 # never shown back
    assert client.get(f"/a/{code}/qr.svg").mimetype == "image/svg+xml"


def test_calendar_file_parses_back(client):
    code = book(client).headers["Location"].split("/a/")[1].split("?")[0]
    response = client.get(f"/a/{code}.ics?lang=en")
    assert response.mimetype == "text/calendar"
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert event["UID"] == f"{code}@okenko"
    assert event.decoded("DTSTART") == datetime(2026, 11, 23, 23, 0, tzinfo=UTC)     # Tuesday 00:00 in Prague
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=30)
    assert "Koněvova 188/32" in str(event["LOCATION"])
    assert f"{code[:4]}-{code[4:]}" in str(event["DESCRIPTION"])
    assert str(event["URL"]) == f"https://okenko.example/a/{code}"
    assert event.walk("VALARM")[0].decoded("TRIGGER") == -timedelta(hours=1)


def test_cancel_from_the_appointments_page_asks_first(client):
    location = book(client).headers["Location"]
    code = location.split("/a/")[1].split("?")[0]
    first = client.get(location).get_data(as_text=True)
    assert f'/a/{code}/cancel' not in first and "confirm=cancel" in first       # a link, no cancelling form yet
    page = client.get(f"/a/{code}?lang=vi&confirm=cancel").get_data(as_text=True)
    assert f'action="/a/{code}/cancel"' in page
    assert runtime(client.application).appointments.get(code).status == "booked"  # asking changed nothing
    response = client.post(f"/a/{code}/cancel", data={"lang": "vi"})
    assert response.status_code == 303
    assert runtime(client.application).appointments.get(code).status == "cancelled"


def test_rebook_keeps_the_code(client):
    code = book(client).headers["Location"].split("/a/")[1].split("?")[0]
    page = client.get(f"/book/praha-iv/residence?lang=en&rebook={code}&date=2026-11-25").get_data(as_text=True)
    assert "Choose a new time" in page
    form = form_of(page)
    response = client.post("/book/praha-iv/residence", data={"lang": "en",
                                                              "rebook": code, "start": form["starts"][3]})
    assert response.status_code == 303 and code in response.headers["Location"]
    assert runtime(client.application).appointments.get(code).start == datetime.fromisoformat(form["starts"][3])


def test_a_slot_taken_meanwhile_is_explained_and_the_choice_offered_again(client):
    page = client.get("/book/praha-iv/legal?lang=fr&date=2026-11-24").get_data(as_text=True)
    form = form_of(page)
    data = {"lang": "fr", "in": "fr", "start": form["starts"][0]}
    assert client.post("/book/praha-iv/legal", data=data).status_code == 303
    again = client.post("/book/praha-iv/legal", data=data)                  # capacity 1: gone
    assert again.status_code == 409
    text = again.get_data(as_text=True)
    assert 'role="alert"' in text and 'name="start"' in text and 'lang="fr"' in text


def test_a_form_without_a_time_gets_a_friendly_page(client):
    no_time = client.post("/book/praha-iv/residence", data={"lang": "en"})
    assert no_time.status_code == 422 and "Please choose a time." in no_time.get_data(as_text=True)


BOOKING = {"lang": "uk", "in": "uk", "start": "2026-11-24T09:00:00+01:00"}


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "same-origin"},                              # today's browsers
    {"Sec-Fetch-Site": "none"},                                     # the visitor's own action
    {"Origin": "http://localhost"},                                 # browsers before Fetch Metadata
    {"Origin": "HTTP://LOCALHOST"},
    {"Origin": "https://okenko.example"},                           # the configured public address
    {},                                                             # not a browser: like an API call
])
def test_visitors_forms_from_this_site_are_taken(client, headers):
    assert client.post("/book/praha-iv/residence", data=BOOKING, headers=headers).status_code == 303


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},                                # another subdomain is another site's page
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"}, # Fetch Metadata decides
    {"Origin": "https://evil.example"},
    {"Origin": "http://localhost:8080"},                            # another port is another origin
    {"Origin": "null"},                                             # a sandboxed or stripped page
])
def test_visitors_forms_from_another_site_are_refused_and_offered_again(client, headers):
    refused = client.post("/book/praha-iv/residence", data=BOOKING, headers=headers)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 403 and 'role="alert"' in text and 'lang="uk"' in text
    assert "Цей вибір надіслано з іншого вебсайту." in text and 'name="start"' in text    # choose again here
    assert runtime(client.application).appointments.slots("praha-iv", "residence",
                                                          datetime(2026, 11, 24).date())[0]["free"] == 2


def test_a_cancellation_from_another_site_is_asked_again_on_the_appointments_page(client):
    code = book(client).headers["Location"].split("/a/")[1].split("?")[0]
    refused = client.post(f"/a/{code}/cancel", data={"lang": "vi"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 303 and refused.headers["Location"] == f"/a/{code}?lang=vi&confirm=cancel"
    assert runtime(client.application).appointments.get(code).status == "booked"
    unknown = client.post("/a/ACDEFHJK/cancel", data={"lang": "vi"}, headers={"Origin": "https://evil.example"})
    assert unknown.status_code == 303                               # no answer on whether a code exists
    assert client.post("/book/nowhere/residence", data=BOOKING, headers={"Origin": "null"}).status_code == 404


@pytest.mark.parametrize("headers", [
    {"Origin": "HTTP://LOCALHOST:80"},                               # as browsers compare origins
    {"Origin": "https://okenko.example:443"},
])
def test_an_origin_is_compared_as_browsers_compare_it(client, headers):
    assert client.post("/book/praha-iv/residence", data=BOOKING, headers=headers).status_code == 303


def test_an_authorization_header_does_not_excuse_another_sites_form(client):
    """A browser adds a proxy's Basic login by itself, to another site's form too."""
    refused = client.post("/book/praha-iv/residence", data=BOOKING,
                          headers={"Authorization": "Basic dmlzaXRvcjpzZWNyZXQ=", "Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403


def test_a_signed_in_coordinators_browser_is_refused_another_sites_form_too(client):
    from ..counter.test_staff_pages import sign_in
    sign_in(client, "admin")
    assert client.post("/book/praha-iv/residence", data=BOOKING, headers={"Sec-Fetch-Site": "cross-site"}) \
        .status_code == 403
    assert client.post("/book/praha-iv/residence", data=BOOKING, headers={"Sec-Fetch-Site": "same-origin"}) \
        .status_code == 303


def test_a_forms_own_fields_never_break_its_answer(client):
    """Fields named like the page's path or url_for's options are not carried into its links."""
    odd = BOOKING | {"branch": "x", "service": "y", "endpoint": "z", "_external": "1", "_anchor": "a"}
    refused = client.post("/book/praha-iv/residence", data=odd, headers={"Origin": "null"})
    assert refused.status_code == 403
    assert 'href="/book/praha-iv/residence?in=uk&amp;lang=cs"' in refused.get_data(as_text=True)
    unknown = client.post("/a/ACDEFHJK/cancel", data={"lang": "fr"})
    assert unknown.status_code == 404 and "Nous ne trouvons pas cette page" in unknown.get_data(as_text=True)


def test_a_rebooking_code_is_charged_like_any_code_lookup(client):
    """Unknown codes in ?rebook= spend the address's budget (20 a minute): no free oracle of codes."""
    for n in range(20):
        client.get(f"/book/praha-iv/residence?lang=en&rebook=ACDEF{n:03d}")
    spent = client.get("/book/praha-iv/residence?lang=en&rebook=ACDEFHJK")
    assert spent.status_code == 429 and spent.headers["Retry-After"]
    foreign = client.post("/book/praha-iv/residence", data=BOOKING | {"rebook": "ACDEFHJK"},
                          headers={"Sec-Fetch-Site": "cross-site"})
    assert foreign.status_code == 429
    assert client.get("/a/ACDEFHJK?lang=en").status_code == 429


def test_visitors_get_no_cookie(client):
    assert "Set-Cookie" not in client.get("/book/praha-iv/residence?lang=en&date=2026-11-24").headers
    assert "Set-Cookie" not in book(client).headers
    assert "Set-Cookie" not in client.get("/a/ACDEFHJK?lang=en").headers


def test_looking_up_a_code(client):
    code = book(client).headers["Location"].split("/a/")[1].split("?")[0]
    found = client.get(f"/a?code={code[:4].lower()}-{code[4:].lower()}&lang=mn")
    assert found.status_code == 302 and found.headers["Location"].startswith(f"/a/{code}")
    assert client.get("/a?code=nonsense&lang=en").status_code == 422
    missing = client.get("/a/ACDEFHJK?lang=fr")
    assert missing.status_code == 404
    assert "Nous ne trouvons pas cette page" in missing.get_data(as_text=True)
    assert "Praha IV – Koněvova" in missing.get_data(as_text=True)          # and the way to start again
    assert client.get("/book/nowhere").status_code == 404


def rebook(client, code: str, date: str, index: int = 0):
    page = client.get(f"/book/praha-iv/residence?lang=en&rebook={code}&date={date}").get_data(as_text=True)
    form = form_of(page)
    return client.post("/book/praha-iv/residence", data={"lang": "en",
                                                          "rebook": code, "start": form["starts"][index]})


def calendar_event(client, code: str):
    calendar = Calendar.from_ical(client.get(f"/a/{code}.ics?lang=en").data)
    return calendar, calendar.walk("VEVENT")[0]


def test_calendar_file_follows_rebooking_and_cancelling(client):
    code = book(client, lang="en", consult="ru").headers["Location"].split("/a/")[1].split("?")[0]
    calendar, event = calendar_event(client, code)
    assert (str(calendar["METHOD"]), event["SEQUENCE"], str(event["STATUS"])) == ("PUBLISH", 0, "CONFIRMED")
    assert rebook(client, code, "2026-11-25", 2).status_code == 303
    assert rebook(client, code, "2026-11-26", 1).status_code == 303
    calendar, event = calendar_event(client, code)
    assert event["UID"] == f"{code}@okenko" and event["SEQUENCE"] == 2
    assert event.decoded("DTSTART").astimezone(ZoneInfo("Europe/Prague")).date().isoformat() == "2026-11-26"
    client.post(f"/a/{code}/cancel", data={"lang": "en"})
    calendar, event = calendar_event(client, code)
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert event["UID"] == f"{code}@okenko" and event["SEQUENCE"] == 3
    assert event.walk("VALARM") == []                               # no reminder for what will not happen


def test_calendar_texts_follow_the_appointments_language_not_the_browsers(client):
    code = book(client, lang="en", consult="ru").headers["Location"].split("/a/")[1].split("?")[0]
    response = client.get(f"/a/{code}.ics", headers={"Accept-Language": "fr"})
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(event["SUMMARY"]).startswith("Консультации по вопросам пребывания")
    assert str(event["DESCRIPTION"]).startswith("Код записи: ")


def test_slots_are_grouped_by_part_of_the_day_with_their_free_places(client):
    page = client.get("/book/praha-iv/residence?lang=ru&date=2026-11-24").get_data(as_text=True)
    assert page.index(">Утро<") < page.index(">День</h3>") < page.index(">Вечер<")
    assert "2 места" in page                                          # capacity 2, CLDR "few"
    assert '<table class="month">' in page and "<caption>ноябрь 2026</caption>" in page
    assert page.count('aria-current="date"') == 1


def test_times_are_on_the_24_hour_clock_and_isolated_in_arabic(client):
    page = client.get("/book/praha-iv/residence?lang=ar&date=2026-11-24").get_data(as_text=True)
    assert '<bdi class="clock">22:30</bdi>' in page
    assert not re.search(r"\d\s?[مص]\b", page)                           # no 12-hour "10:30 م"


def test_the_confirmation_links_the_address_to_a_map(client):
    location = book(client, lang="fr").headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert 'href="https://www.openstreetmap.org/search?query=Kon%C4%9Bvova+188%2F32%2C+Praha+3+%E2%80%93+%C5%BDi%C5%BEkov"' in page
