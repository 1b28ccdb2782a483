"""The statistics page and the funder report: roles, the known day's numbers in the tables beside the
charts, periods, and the export links."""
from __future__ import annotations

import re
from datetime import date

import pytest

from stats.periods import period_bounds

from ..api.test_statistics_api import drive_known_day
from ..conftest import freeze
from ..counter.test_staff_pages import sign_in


@pytest.mark.parametrize(("kind", "first", "last"), [
    ("day", date(2026, 11, 25), date(2026, 11, 25)), ("week", date(2026, 11, 23), date(2026, 11, 29)),
    ("month", date(2026, 11, 1), date(2026, 11, 30)), ("quarter", date(2026, 10, 1), date(2026, 12, 31)),
    ("year", date(2026, 1, 1), date(2026, 12, 31)),
])
def test_periods(kind, first, last):
    assert period_bounds(kind, date(2026, 11, 25)) == (first, last)


def _cells(page: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", body, re.S).group(1)
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_coordinator_sees_the_known_day(app, client):
    clock = freeze(app)
    drive_known_day(app, client, clock)
    sign_in(client, "coordinator")
    page = client.get("/statistics?period=day&date=2026-11-23&branch=praha-iv",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _cells(page, "by-service") == [["Assistance", "2", "1", "1", "180", "1"],
                                          ["Residence counselling", "2", "1", "0", "540", "5"]]
    assert _cells(page, "by-language") == [["Русский", "1", "0", "1", "540", "1"],
                                           ["Українська", "1", "0", "0", "540", "9"],
                                           ["Tiếng Việt", "2", "2", "0", "180", "3"]]
    assert _cells(page, "trend") == [["2026-11-23", "4"]]
    assert _cells(page, "heat")[0] == ["Monday", "4"]          # one hour (9) had tickets
    assert _cells(page, "heat")[1] == ["Tuesday", "0"]
    assert _cells(page, "topics") == [["Housing", "1"], ["Residence status", "1"], ["Work", "1"]]
    assert 'data-key="tickets">4<' in page and 'data-key="served">2<' in page
    assert "format=xlsx" in page and "<svg" in page and "<script" not in page.split("</main>")[0]


def test_funder_report_against_the_target(app, client):
    clock = freeze(app)
    drive_known_day(app, client, clock)
    sign_in(client, "coordinator")
    page = client.get("/statistics/report?period=quarter&date=2026-11-23&branch=praha-iv",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    # 3,500 a year for one branch; the quarter Oct–Dec is 92 of 365 days: 882
    assert "Interventions (clients served): 2 of the target 882 for this period (0 %)." in page
    assert _cells(page, "report-service") == [["Assistance", "2", "1", "0", "0.0", "180"],
                                              ["Residence counselling", "2", "1", "1", "5.0", "540"]]
    assert _cells(page, "report-topics") == [["Housing", "1"], ["Residence status", "1"], ["Work", "1"]]


@pytest.mark.parametrize(("user", "status"), [("admin", 200), ("coordinator", 200), ("counsellor", 403),
                                              ("receptionist", 403)])
def test_only_coordinators_and_admins(client, user, status):
    sign_in(client, user)
    assert client.get("/statistics").status_code == status
    assert client.get("/statistics/report").status_code == status


def test_signed_out_goes_to_sign_in(client):
    assert client.get("/statistics").status_code in (302, 401)
