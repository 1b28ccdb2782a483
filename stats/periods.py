"""The period a statistics page shows: a day, week, month, quarter or year around a date, or custom."""
from __future__ import annotations

from datetime import date, timedelta

PERIODS = ("day", "week", "month", "quarter", "year", "custom")


def period_bounds(kind: str, anchor: date) -> tuple[date, date]:
    """First and last day of the `kind` period that contains `anchor` (weeks start on Monday)."""
    if kind == "day":
        return anchor, anchor
    if kind == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return start, start + timedelta(days=6)
    if kind == "month":
        start = anchor.replace(day=1)
    elif kind == "quarter":
        start = anchor.replace(month=(anchor.month - 1) // 3 * 3 + 1, day=1)
    elif kind == "year":
        return anchor.replace(month=1, day=1), anchor.replace(month=12, day=31)
    else:
        raise ValueError(f"unknown period {kind}")
    months = 1 if kind == "month" else 3
    following = date(start.year + (start.month + months - 1) // 12, (start.month + months - 1) % 12 + 1, 1)
    return start, following - timedelta(days=1)
