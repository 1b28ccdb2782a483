from datetime import datetime
from zoneinfo import ZoneInfo

from models.hours import is_open, next_opening

PRAGUE = ZoneInfo("Europe/Prague")
HOURS = {"mon": [["08:00", "12:00"], ["13:00", "17:00"]], "fri": [["08:00", "12:00"]]}


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, 23 + day, hh, mm, tzinfo=PRAGUE)  # 23 Nov 2026 is a Monday


def test_open_within_an_interval_and_closed_at_its_end():
    assert is_open(HOURS, at(0, 8)) and is_open(HOURS, at(0, 11, 59))
    assert not is_open(HOURS, at(0, 12)) and not is_open(HOURS, at(0, 7, 59))
    assert is_open(HOURS, at(0, 13, 30))


def test_days_without_hours_are_closed():
    assert not is_open(HOURS, at(1, 10))


def test_next_opening_after_lunch_next_day_and_over_the_weekend():
    assert next_opening(HOURS, at(0, 12, 30)) == at(0, 13)
    assert next_opening(HOURS, at(0, 18)) == at(4, 8)      # Friday
    assert next_opening(HOURS, at(4, 12)) == at(7, 8)      # next Monday
    assert next_opening({}, at(0, 9)) is None


def test_midnight_as_24_00():
    always = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    assert is_open(always, at(0, 23, 59)) and is_open(always, at(0, 0))


def test_a_closed_day_is_closed_whatever_its_hours():
    closed = ["2026-11-23", "11-27"]                       # this Monday once, 27 November every year
    assert not is_open(HOURS, at(0, 9), closed)
    assert is_open(HOURS, at(0, 9), ["2026-11-30"])
    assert not is_open(HOURS, at(4, 9), closed)             # Friday the 27th
    assert next_opening(HOURS, at(0, 9), closed) == at(7, 8)   # not Monday 13:00, not Friday: next Monday
