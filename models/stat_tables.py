"""Anonymous daily aggregates of the event log: what statistics read, and what stays when raw
events are purged.

One row per (branch, service day, service, language) in `stat_day`, and the same split by the local
hour of issue in `stat_hour` (hour-of-day charts and `by=hour`), which keeps the counts and the wait
only: ten times the rows of `stat_day`, so a year grouped by hour sums 38 columns, not 98 (service
time and the estimate's error are figures of days, not of hours). A year of three busy branches is
~20,000 day rows: small enough to sum in SQL in well under a second, where the ~900,000 tickets
behind them are not. Waiting time, service time and the error of the wait estimate are kept as
histograms (one integer column per bucket), so medians and 90th percentiles of any period are sums
of columns too. Nothing here identifies a visitor: no ticket id, token or contact.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime

# Upper edges of the duration buckets, in minutes; the last bucket holds everything longer.
BUCKET_EDGES_MIN = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20, 25, 30, 35, 40, 45, 50, 60, 75, 90,
                    105, 120, 150, 180, 240)
BUCKET_EDGES_S = tuple(m * 60 for m in BUCKET_EDGES_MIN)
BUCKETS = len(BUCKET_EDGES_S) + 1
# Histograms kept per row: column prefix → what it measures.
HISTOGRAMS = {
    "wait": "issue (or check-in) to the first call",
    "service": "start to finish of the last service",
    "estimate_error": "|waited − the estimate given at issue|",
}
COUNTS = ("tickets", "appointments", "served", "no_show", "cancelled", "transferred",
          "interpreter_requests", "interpreting_s")


def bucket_of(seconds: int) -> int:
    """The histogram bucket a duration falls in: the first edge it does not exceed."""
    for index, edge in enumerate(BUCKET_EDGES_S):
        if seconds <= edge:
            return index
    return BUCKETS - 1


def histogram_columns(name: str) -> list[str]:
    return [f"{name}_h{index:02d}" for index in range(BUCKETS)]


ALL_HISTOGRAM_COLUMNS = [column for name in HISTOGRAMS for column in histogram_columns(name)]
MEASURES = list(COUNTS) + ALL_HISTOGRAM_COLUMNS
HOUR_MEASURES = list(COUNTS) + histogram_columns("wait")


def _measure_columns(name: str, columns: list[str]) -> type:
    """One integer column per count and per histogram bucket."""
    return type(name, (), {column: mapped_column(Integer, nullable=False, default=0, server_default="0")
                           for column in columns})


_Measures = _measure_columns("_Measures", MEASURES)
_HourMeasures = _measure_columns("_HourMeasures", HOUR_MEASURES)


class _StatKeys:
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    # Derived from `day`, stored so that grouping needs no date functions (which differ per database).
    month: Mapped[int] = mapped_column(Integer)   # 202611
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday


class StatDay(_StatKeys, _Measures, Base):
    __tablename__ = "stat_day"


class StatHour(_StatKeys, _HourMeasures, Base):
    __tablename__ = "stat_hour"
    __table_args__ = (Index("ix_stat_hour_branch_id_day", "branch_id", "day"),)

    hour: Mapped[int] = mapped_column(Integer, primary_key=True)  # local hour of issue


class StatTopic(Base):
    """Interventions by topic, as counsellors recorded them when finishing."""

    __tablename__ = "stat_topic"

    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[int] = mapped_column(Integer)
    weekday: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)


class StatRollup(Base):
    """A branch's service day whose aggregates are stored: statistics read them, not the events,
    and the events of that day may be purged once old enough."""

    __tablename__ = "stat_rollup"

    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    rolled_at: Mapped[datetime] = mapped_column(UTCDateTime)
