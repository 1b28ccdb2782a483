"""Slot generation: opening hours, slot length, closed days, and the clock changes in Prague."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from models.hours import is_closed_day
from models.slots import day_slots

PRAGUE = ZoneInfo("Europe/Prague")
HOURS = {"mon": [["08:00", "12:00"], ["13:00", "16:00"]], "fri": [["08:00", "11:45"]]}
ROUND_THE_CLOCK = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def local_starts(slots):
    return [slot.start.astimezone(PRAGUE).strftime("%H:%M") for slot in slots]


def test_slots_fill_each_opening_interval_and_skip_the_lunch_break():
    slots = day_slots(HOURS, "Europe/Prague", date(2026, 11, 23), 60)
    assert local_starts(slots) == ["08:00", "09:00", "10:00", "11:00", "13:00", "14:00", "15:00"]
    assert all(slot.start.tzinfo == UTC and (slot.end - slot.start).seconds == 3600 for slot in slots)


def test_a_slot_that_would_run_past_closing_is_not_offered():
    assert local_starts(day_slots(HOURS, "Europe/Prague", date(2026, 11, 27), 30))[-1] == "11:00"


def test_closed_weekdays_and_zero_length_give_nothing():
    assert day_slots(HOURS, "Europe/Prague", date(2026, 11, 24), 30) == []     # Tuesday: not in the hours
    assert day_slots(HOURS, "Europe/Prague", date(2026, 11, 23), 0) == []


def test_holidays_once_and_every_year():
    closed = ["12-24", "2026-11-23"]
    assert day_slots(HOURS, "Europe/Prague", date(2026, 11, 23), 30, closed) == []
    assert is_closed_day(closed, date(2031, 12, 24))
    assert not is_closed_day(closed, date(2027, 11, 23))


def test_utc_times_follow_the_local_offset_in_summer_and_winter():
    winter = day_slots(HOURS, "Europe/Prague", date(2026, 11, 23), 60)[0]
    summer = day_slots({"mon": [["08:00", "09:00"]]}, "Europe/Prague", date(2026, 6, 1), 60)[0]
    assert winter.start == datetime(2026, 11, 23, 7, tzinfo=UTC)
    assert summer.start == datetime(2026, 6, 1, 6, tzinfo=UTC)


def test_spring_forward_day_has_one_hour_less_and_no_slot_at_a_missing_time():
    slots = day_slots(ROUND_THE_CLOCK, "Europe/Prague", date(2026, 3, 29), 60)
    assert len(slots) == 23
    assert "02:00" not in local_starts(slots)
    assert all(b.start - a.start == a.end - a.start for a, b in zip(slots, slots[1:], strict=False))


def test_fall_back_day_has_one_hour_more():
    slots = day_slots(ROUND_THE_CLOCK, "Europe/Prague", date(2026, 10, 25), 60)
    assert len(slots) == 25
    assert local_starts(slots).count("02:00") == 2      # the hour that happens twice, both times
    assert len({slot.start for slot in slots}) == 25


def test_office_hours_on_the_clock_change_days_are_unaffected():
    for day in (date(2026, 3, 29), date(2026, 10, 25)):
        hours = {"sun": [["08:00", "10:00"]]}
        assert local_starts(day_slots(hours, "Europe/Prague", day, 30)) == ["08:00", "08:30", "09:00", "09:30"]
