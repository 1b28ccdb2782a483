"""Opening hours of a branch: {"mon": [["08:00", "12:00"], ["13:00", "16:00"]], …}, local time.
A missing or empty day is closed; "24:00" closes at midnight. Closed days ("YYYY-MM-DD" once, "MM-DD"
every year) close the whole day whatever its hours."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _parse(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    return time.max if (hours, minutes) == (24, 0) else time(hours, minutes)


def intervals(hours: dict[str, list[list[str]]], day: int) -> list[tuple[time, time]]:
    return [(_parse(start), _parse(end)) for start, end in hours.get(DAYS[day], [])]


def is_closed_day(closed_days: Iterable[str], day: date) -> bool:
    closed = set(closed_days)
    return day.isoformat() in closed or day.strftime("%m-%d") in closed


def is_open(hours: dict[str, list[list[str]]], local: datetime, closed_days: Iterable[str] = ()) -> bool:
    now = local.time()
    return not is_closed_day(closed_days, local.date()) and any(
        start <= now < end for start, end in intervals(hours, local.weekday()))


def next_opening(hours: dict[str, list[list[str]]], local: datetime,
                 closed_days: Iterable[str] = ()) -> datetime | None:
    """The next local moment the branch opens (within three weeks: holidays run into each other),
    or None if it never does."""
    for offset in range(22):
        day = local + timedelta(days=offset)
        if is_closed_day(closed_days, day.date()):
            continue
        for start, _end in sorted(intervals(hours, day.weekday())):
            moment = datetime.combine(day.date(), start, tzinfo=local.tzinfo)
            if moment > local:
                return moment
    return None
