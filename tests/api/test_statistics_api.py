"""GET /api/v1/statistics on the demo data: a known day driven through the API (walk-ins in several
services and languages, calls, finishes with topics, a no-show, an interpreter, a transfer, a
cancel, an appointment), every number of the JSON, the CSV and the XLSX; who may see what."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from ..conftest import Clock, freeze
from .helpers import KIOSK, counter_id, issue, staff_headers

DAY = "from=2026-11-23&to=2026-11-23"


@pytest.fixture
def clock(app) -> Clock:
    return freeze(app)                       # Monday 23 Nov 2026, 09:30 in Prague


def _ok(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json


def drive_known_day(app, client, clock) -> None:
    counsellor, assistant = staff_headers(client, "counsellor"), staff_headers(client, "assistant")
    interpreter = staff_headers(client, "interpreter-ru")
    desk_a, desk_r = counter_id(app, "praha-iv", "Přepážka 1"), counter_id(app, "praha-iv", "Přepážka 3")
    _ok(client.post(f"/api/v1/counters/{desk_a}/open", headers=counsellor))
    _ok(client.post(f"/api/v1/counters/{desk_r}/open", headers=assistant))
    w1 = _ok(issue(client, "assistance", "vi"), 201)
    w2 = _ok(issue(client, "assistance", "ru"), 201)
    w3 = _ok(issue(client, "residence", "uk"), 201)
    booked = _ok(client.post("/api/v1/appointments", json={
        "branch": "praha-iv", "service": "residence", "language": "vi", "start": "2026-11-23T09:00:00+00:00"}), 201)
    visit = _ok(client.post("/api/v1/tickets", json={"branch": "praha-iv", "appointment_code": booked["code"]},
                            headers=KIOSK), 201)
    assert [t["estimated_wait_minutes"] for t in (w1, w2, w3, visit)] == [0, 8, 0, 20]

    def act(ticket, action, who, **body):
        return _ok(client.post(f"/api/v1/tickets/{ticket['id']}/{action}", json=body or None, headers=who),
                   201 if action == "interpreter" else 200)

    clock.advance(minutes=3)
    assert _ok(client.post(f"/api/v1/counters/{desk_a}/call-next", headers=counsellor))["id"] == w1["id"]
    act(w1, "start", counsellor)
    clock.advance(minutes=6)
    act(w1, "finish", counsellor, topics=["housing"])
    assert _ok(client.post(f"/api/v1/counters/{desk_a}/call-next", headers=counsellor))["id"] == w2["id"]
    act(w2, "no-show", counsellor)
    assert _ok(client.post(f"/api/v1/counters/{desk_r}/call-next", headers=assistant))["id"] == w3["id"]
    act(w3, "start", assistant)
    request_id = act(w3, "interpreter", assistant)["id"]
    clock.advance(minutes=1)
    _ok(client.post(f"/api/v1/interpreter-requests/{request_id}/accept", headers=interpreter))
    clock.advance(minutes=5)
    _ok(client.post(f"/api/v1/interpreter-requests/{request_id}/finish", headers=interpreter))
    act(w3, "transfer", assistant, service="legal")
    act(w3, "cancel", assistant, reason="went home")
    assert _ok(client.post(f"/api/v1/counters/{desk_r}/call-next", headers=assistant))["id"] == visit["id"]
    act(visit, "start", assistant)
    clock.advance(minutes=10)
    act(visit, "finish", assistant, topics=["work", "residence_status"])


NONE = {"walk_ins": 1, "appointments": 0, "served": 0, "no_show": 0, "cancelled": 0, "transferred": 0,
        "interpreter_requests": 0, "interpreting_minutes": 0.0, "service_median_s": None, "service_p90_s": None}
ROWS = [
    {"service": "assistance", "language": "ru", "tickets": 1} | NONE | {
        "no_show": 1, "wait_median_s": 540, "wait_p90_s": 540, "estimate_error_median_min": 1},
    {"service": "assistance", "language": "vi", "tickets": 1} | NONE | {
        "served": 1, "wait_median_s": 180, "wait_p90_s": 180, "service_median_s": 360, "service_p90_s": 360,
        "estimate_error_median_min": 3},
    {"service": "residence", "language": "uk", "tickets": 1} | NONE | {
        "cancelled": 1, "transferred": 1, "interpreter_requests": 1, "interpreting_minutes": 5.0,
        "wait_median_s": 540, "wait_p90_s": 540, "estimate_error_median_min": 9},
    {"service": "residence", "language": "vi", "tickets": 1} | NONE | {
        "walk_ins": 0, "appointments": 1, "served": 1, "wait_median_s": 960, "wait_p90_s": 960,
        "service_median_s": 600, "service_p90_s": 600, "estimate_error_median_min": 5},
]
TOTAL = {"tickets": 4, "walk_ins": 3, "appointments": 1, "served": 2, "no_show": 1, "cancelled": 1,
         "transferred": 1, "interpreter_requests": 1, "interpreting_minutes": 5.0, "wait_median_s": 540,
         "wait_p90_s": 960, "service_median_s": 360, "service_p90_s": 600, "estimate_error_median_min": 3}
TOPICS = [{"topic": "housing", "count": 1}, {"topic": "residence_status", "count": 1}, {"topic": "work", "count": 1}]

HEADER_EN = ["Service", "Language", "Tickets", "Walk-ins", "Appointments", "Served", "No-shows", "Cancelled",
             "Transferred", "Interpreter requests", "Interpreting (min)", "Wait, median (s)",
             "Wait, 90th percentile (s)", "Service time, median (s)", "Service time, 90th percentile (s)",
             "Estimate error, median (min)"]
CSV_ROWS = [
    ["assistance", "ru", "1", "1", "0", "0", "1", "0", "0", "0", "0.0", "540", "540", "", "", "1"],
    ["assistance", "vi", "1", "1", "0", "1", "0", "0", "0", "0", "0.0", "180", "180", "360", "360", "3"],
    ["residence", "uk", "1", "1", "0", "0", "0", "1", "1", "1", "5.0", "540", "540", "", "", "9"],
    ["residence", "vi", "1", "0", "1", "1", "0", "0", "0", "0", "0.0", "960", "960", "600", "600", "5"],
    ["Total", "", "4", "3", "1", "2", "1", "1", "1", "1", "5.0", "540", "960", "360", "600", "3"],
]


def test_every_number_of_a_known_day(app, client, clock):
    drive_known_day(app, client, clock)
    coordinator = staff_headers(client, "coordinator")
    result = _ok(client.get(f"/api/v1/statistics?{DAY}&branch=praha-iv&by=service,language", headers=coordinator))
    assert result["rows"] == ROWS
    assert result["total"] == TOTAL
    assert result["topics"] == TOPICS
    assert result["estimate_error_median_min"] == 3
    assert result["branches"] == ["praha-iv"] and result["by"] == ["service", "language"]
    text = str(result)
    assert "token" not in text and "contact" not in text and "number" not in text  # anonymous


def test_csv_and_xlsx_carry_the_same_numbers(app, client, clock):
    drive_known_day(app, client, clock)
    coordinator = staff_headers(client, "coordinator") | {"Accept-Language": "en"}
    url = f"/api/v1/statistics?{DAY}&branch=praha-iv&by=service,language"
    response = client.get(url, headers=coordinator | {"Accept": "text/csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="okenko-praha-iv-2026-11-23-2026-11-23.csv"'
    parsed = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert parsed == [HEADER_EN] + CSV_ROWS
    topics = client.get(url + "&format=csv&table=topics", headers=coordinator)
    assert list(csv.reader(io.StringIO(topics.data.decode("utf-8-sig")))) == [
        ["Topic", "Count"], ["Housing", "1"], ["Residence status", "1"], ["Work", "1"]]

    xlsx = client.get(url + "&format=xlsx", headers=coordinator)
    assert xlsx.headers["Content-Disposition"].endswith('okenko-praha-iv-2026-11-23-2026-11-23.xlsx"')
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["Statistics", "Topics"]
    rows = [list(r) for r in book["Statistics"].iter_rows(values_only=True)]
    assert rows[0] == HEADER_EN
    assert rows[1:] == [
        ["assistance", "ru", 1, 1, 0, 0, 1, 0, 0, 0, 0, 540, 540, None, None, 1],
        ["assistance", "vi", 1, 1, 0, 1, 0, 0, 0, 0, 0, 180, 180, 360, 360, 3],
        ["residence", "uk", 1, 1, 0, 0, 0, 1, 1, 1, 5, 540, 540, None, None, 9],
        ["residence", "vi", 1, 0, 1, 1, 0, 0, 0, 0, 0, 960, 960, 600, 600, 5],
        ["Total", None, 4, 3, 1, 2, 1, 1, 1, 1, 5, 540, 960, 360, 600, 3],
    ]
    assert [list(r) for r in book["Topics"].iter_rows(values_only=True)] == [
        ["Topic", "Count"], ["Housing", 1], ["Residence status", 1], ["Work", 1]]


def test_czech_headers(app, client, clock):
    coordinator = staff_headers(client, "coordinator") | {"Accept-Language": "cs"}
    response = client.get(f"/api/v1/statistics?{DAY}&by=service&format=csv", headers=coordinator)
    header = next(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert header[:4] == ["Služba", "Lístky", "Bez objednání", "Rezervace"]
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="okenko-praha-i+praha-iii+praha-iv-2026-11-23-2026-11-23.csv"'


def test_who_sees_which_branches(app, client, clock):
    lawyer = staff_headers(client, "lawyer")                  # works at Koněvova only
    mine = _ok(client.get(f"/api/v1/statistics?{DAY}", headers=lawyer))
    assert mine["branches"] == ["praha-iv"]
    other = client.get(f"/api/v1/statistics?{DAY}&branch=praha-iii", headers=lawyer)
    assert other.status_code == 403 and other.json["error"] == "forbidden"
    admin = _ok(client.get(f"/api/v1/statistics?{DAY}", headers=staff_headers(client, "admin")))
    assert admin["branches"] == ["praha-i", "praha-iii", "praha-iv"]
    assert client.get(f"/api/v1/statistics?{DAY}").status_code == 401
    assert client.get(f"/api/v1/statistics?{DAY}", headers=KIOSK).status_code == 401


@pytest.mark.parametrize(("query", "status"), [
    ("from=2026-11-23", 400), ("from=yesterday&to=2026-11-23", 400), ("from=2026-11-24&to=2026-11-23", 400),
    (f"{DAY}&by=colour", 400), (f"{DAY}&by=topic,hour", 400), (f"{DAY}&branch=nowhere", 404),
    (f"{DAY}&format=pdf", 400), ("from=2010-01-01&to=2026-11-23", 400),
])
def test_questions_that_cannot_be_answered(client, clock, query, status):
    response = client.get(f"/api/v1/statistics?{query}", headers=staff_headers(client, "coordinator"))
    assert response.status_code == status and response.json["message"]


def test_documented_in_openapi(client):
    operation = client.get("/api/openapi.json").json["paths"]["/api/v1/statistics"]["get"]
    assert [p["name"] for p in operation["parameters"]] == [
        "from", "to", "branch", "service", "language", "by", "format", "table"]
    assert "StatisticsOut" in operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
