"""Opening hours of a branch: {"mon": [["08:00", "12:00"], ["13:00", "16:00"]], …}, local time.
A missing or empty day is closed; "24:00" closes at midnight."""
from __future__ import annotations

from datetime import datetime, time, timedelta

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _parse(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    return time.max if (hours, minutes) == (24, 0) else time(hours, minutes)


def intervals(hours: dict[str, list[list[str]]], day: int) -> list[tuple[time, time]]:
    return [(_parse(start), _parse(end)) for start, end in hours.get(DAYS[day], [])]


def is_open(hours: dict[str, list[list[str]]], local: datetime) -> bool:
    now = local.time()
    return any(start <= now < end for start, end in intervals(hours, local.weekday()))


def next_opening(hours: dict[str, list[list[str]]], local: datetime) -> datetime | None:
    """The next local moment the branch opens (within a week), or None if it never does."""
    for offset in range(8):
        day = local + timedelta(days=offset)
        for start, _end in sorted(intervals(hours, day.weekday())):
            moment = datetime.combine(day.date(), start, tzinfo=local.tzinfo)
            if moment > local:
                return moment
    return None
