"""Appointment slots of one service on one day: pure functions of opening hours, no database.

Slots are laid out in absolute time from each opening interval's local start, so a day that
loses or gains an hour when the clocks change (Europe/Prague: last Sunday of March and of
October) has one slot fewer or more, and no slot starts at a local time that does not exist.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from .hours import intervals, is_closed_day
from .numbering import zone


@dataclass(frozen=True)
class Slot:
    start: datetime  # UTC
    end: datetime


def day_slots(hours: dict[str, list[list[str]]], timezone: str, day: date, minutes: int,
              closed_days: Iterable[str] = ()) -> list[Slot]:
    if minutes <= 0 or is_closed_day(closed_days, day):
        return []
    local = zone(timezone)
    step = timedelta(minutes=minutes)
    slots = []
    for opens, closes in intervals(hours, day.weekday()):
        moment = datetime.combine(day, opens, tzinfo=local).astimezone(UTC)
        end = _local_close(day, closes, local)
        while moment + step <= end:
            slots.append(Slot(moment, moment + step))
            moment += step
    return slots


def _local_close(day: date, closes: time, local) -> datetime:
    if closes == time.max:  # "24:00": midnight at the end of the day
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=local).astimezone(UTC)
    return datetime.combine(day, closes, tzinfo=local).astimezone(UTC)


def local_date(moment: datetime, timezone: str) -> date:
    return moment.astimezone(zone(timezone)).date()
