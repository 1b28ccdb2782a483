"""Statistics from the event log: the daily roll-up and the query over it.

A branch's service day is *rolled up* once it is over: its events are folded into anonymous
aggregate rows (models/stat_tables.py). Statistics then read those rows with SQL sums; days not
rolled up yet (today) are folded from their events at the time of the query, by the same
function, so both paths give the same numbers. Reads never write: the sweep rolls days up.

Definitions (per ticket, counted under the service it was issued for, on its service day and the
local hour of issue):
- wait: issue (for an appointment: check-in) to the first call;
- service time: start to finish of the last service (a transferred ticket's service elsewhere);
- estimate error: |wait − the estimate given at issue|, for tickets called after an estimate;
- medians and 90th percentiles (nearest rank) are given as the upper edge of the histogram
  bucket they fall in (1-minute steps up to 10 minutes, then 2, 5, 10, 15, 30 and 60 minutes).
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from .numbering import service_day, zone
from .org import Branch, Service
from .queue import Event, Ticket
from .stat_tables import (BUCKET_EDGES_S, BUCKETS, COUNTS, HISTOGRAMS, HOUR_MEASURES, MEASURES, StatDay, StatHour, StatRollup,
                          StatTopic, bucket_of, histogram_columns)

DIMENSIONS = ("branch", "service", "language", "topic", "day", "month", "hour", "weekday")
_INDEX = {column: index for index, column in enumerate(MEASURES)}
_HOUR_INDEXES = [_INDEX[column] for column in HOUR_MEASURES]
_DAY_ONLY = [index for index in range(len(MEASURES)) if index not in set(_HOUR_INDEXES)]
_TOPIC_COUNT = "count"
STAT_EVENTS = frozenset(("ticket.issued", "ticket.called", "ticket.started", "ticket.finished", "ticket.no_show",
                           "ticket.cancelled", "ticket.transferred", "interpreter.requested", "interpreter.finished"))


@dataclass(frozen=True)
class StatQuery:
    date_from: date
    date_to: date
    branch_ids: tuple[int, ...]
    services: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    by: tuple[str, ...] = ()


@dataclass
class Visit:
    """One ticket's day, reduced to what statistics need (nothing that identifies anyone)."""

    day: date
    hour: int
    service_id: int
    language: str
    appointment: bool
    estimate_min: int | None
    issued_at: datetime
    outcome: str = ""
    transfers: int = 0
    interpreter_requests: int = 0
    interpreting_s: int = 0
    wait_s: int | None = None
    service_s: int | None = None
    topics: list[str] = field(default_factory=list)


# ---- folding events into aggregate rows ------------------------------------------------------

def _visits(session: Session, branch: Branch, first: date, last: date) -> list[Visit]:
    tz = zone(branch.timezone)
    tickets = session.execute(
        select(Ticket.id, Ticket.service_day, Ticket.issued_service_id, Ticket.language,
               Ticket.appointment_id, Ticket.issued_at, Ticket.estimated_wait_minutes)
        .where(Ticket.branch_id == branch.id, Ticket.service_day.between(first, last))
    ).all()
    visits = {row.id: Visit(day=row.service_day, hour=row.issued_at.astimezone(tz).hour,
                            service_id=row.issued_service_id, language=row.language,
                            appointment=row.appointment_id is not None, estimate_min=row.estimated_wait_minutes,
                            issued_at=row.issued_at) for row in tickets}
    if not visits:
        return []
    # The types are filtered here, not in SQL: a condition on `event.type` invites PostgreSQL to AND
    # its type index into every ticket's lookup, which took minutes per day on a year of events.
    events = session.execute(
        select(Event.ticket_id, Event.type, Event.at, Event.data)
        .join(Ticket, Ticket.id == Event.ticket_id)
        .where(Ticket.branch_id == branch.id, Ticket.service_day.between(first, last))
        .order_by(Event.seq)
    ).all()
    for ticket_id, type_, at, data in events:
        if type_ in STAT_EVENTS:
            _apply(visits[ticket_id], type_, at, data or {})
    return list(visits.values())


def _apply(visit: Visit, type_: str, at: datetime, data: dict) -> None:
    if type_ == "ticket.called" and visit.wait_s is None:
        visit.wait_s = max(int((at - visit.issued_at).total_seconds()), 0)
    elif type_ == "ticket.finished":
        visit.outcome, visit.service_s = "served", data.get("served_s")
        visit.topics = list(data.get("topics") or ())
    elif type_ == "ticket.no_show":
        visit.outcome = "no_show"
    elif type_ == "ticket.cancelled":
        visit.outcome = "cancelled"
    elif type_ == "ticket.transferred":
        visit.transfers += 1
    elif type_ == "interpreter.requested":
        visit.interpreter_requests += 1
    elif type_ == "interpreter.finished":
        visit.interpreting_s += int(data.get("interpreting_s") or 0)


def _measures(visit: Visit) -> list[int]:
    values = [0] * len(MEASURES)
    values[_INDEX["tickets"]] = 1
    values[_INDEX["appointments"]] = int(visit.appointment)
    if visit.outcome in ("served", "no_show", "cancelled"):
        values[_INDEX[visit.outcome]] = 1
    values[_INDEX["transferred"]] = visit.transfers
    values[_INDEX["interpreter_requests"]] = visit.interpreter_requests
    values[_INDEX["interpreting_s"]] = visit.interpreting_s
    samples = {"wait": visit.wait_s, "service": visit.service_s,
               "estimate_error": (None if visit.wait_s is None or visit.estimate_min is None
                                  else abs(visit.wait_s - visit.estimate_min * 60))}
    for name, seconds in samples.items():
        if seconds is not None:
            values[_INDEX[histogram_columns(name)[bucket_of(seconds)]]] += 1
    return values


@dataclass
class Folded:
    """A period's visits folded by (day, hour, service id, language), and topics by the same keys."""

    hours: dict[tuple, list[int]]
    topics: dict[tuple, int]


def fold(visits: Iterable[Visit]) -> Folded:
    hours: dict[tuple, list[int]] = {}
    topics: dict[tuple, int] = defaultdict(int)
    for visit in visits:
        key = (visit.day, visit.hour, visit.service_id, visit.language)
        _add(hours.setdefault(key, [0] * len(MEASURES)), _measures(visit))
        for topic in visit.topics:
            topics[(visit.day, visit.service_id, visit.language, topic)] += 1
    return Folded(hours, dict(topics))


def _add(total: list[int], values: Iterable[int]) -> None:
    for index, value in enumerate(values):
        total[index] += value


def roll_up(session: Session, branch: Branch, day: date, now: datetime) -> None:
    """Store the aggregates of one service day of a branch (again, if it was stored before)."""
    for table in (StatDay, StatHour, StatTopic, StatRollup):
        session.execute(delete(table).where(table.branch_id == branch.id, table.day == day))
    folded = fold(_visits(session, branch, day, day))
    days: dict[tuple, list[int]] = {}
    hour_rows = []
    for (day_, hour, service_id, language), values in folded.hours.items():
        _add(days.setdefault((day_, service_id, language), [0] * len(MEASURES)), values)
        hour_rows.append(_row(branch.id, day_, service_id, language, values, HOUR_MEASURES) | {"hour": hour})
    if hour_rows:
        session.execute(insert(StatHour.__table__), hour_rows)
        session.execute(insert(StatDay.__table__), [_row(branch.id, *key, values) for key, values in days.items()])
    if folded.topics:
        session.execute(insert(StatTopic.__table__), [
            {"branch_id": branch.id, "day": d, "service_id": s, "language": lang, "topic": topic,
             "month": _month(d), "weekday": d.weekday(), "count": count}
            for (d, s, lang, topic), count in folded.topics.items()])
    session.execute(insert(StatRollup.__table__), [{"branch_id": branch.id, "day": day, "rolled_at": now}])


def _row(branch_id: int, day: date, service_id: int, language: str, values: list[int],
         columns: list[str] = MEASURES) -> dict:
    return {"branch_id": branch_id, "day": day, "service_id": service_id, "language": language,
            "month": _month(day), "weekday": day.weekday()} | {c: values[_INDEX[c]] for c in columns}


def _month(day: date) -> int:
    return day.year * 100 + day.month


def last_rolled_up(session: Session, branch_id: int) -> date | None:
    return session.execute(select(func.max(StatRollup.day)).where(StatRollup.branch_id == branch_id)).scalar()


def days_to_roll_up(session: Session, branch: Branch, now: datetime, full: bool = False) -> list[date]:
    """Past service days of the branch that have tickets and no stored aggregates yet. Days are
    rolled up in order, so only days after the last stored one are looked at (an index range);
    `full` looks at every day (after history was added to the past)."""
    today = service_day(branch.timezone, now)
    statement = (select(Ticket.service_day).distinct()
                 .where(Ticket.branch_id == branch.id, Ticket.service_day < today)
                 .order_by(Ticket.service_day))
    last = last_rolled_up(session, branch.id)
    if full:
        rolled = select(StatRollup.day).where(StatRollup.branch_id == branch.id)
        statement = statement.where(Ticket.service_day.not_in(rolled))
    elif last is not None:
        statement = statement.where(Ticket.service_day > last)
    return list(session.execute(statement).scalars())


def maintain(writer, now: datetime, keep_days: int, full: bool = False) -> dict[str, int]:
    """The sweep's part: store the aggregates of finished days (one transaction each), then purge
    events past the retention period. Idempotent; safe in every server process."""
    done = {"days_rolled_up": 0, "events_purged": 0}
    with writer() as session:
        branch_ids = list(session.execute(select(Branch.id)).scalars())
    for branch_id in branch_ids:
        with writer() as session:
            branch = session.get(Branch, branch_id)
            pending = days_to_roll_up(session, branch, now, full)
            session.rollback()
        for day in pending:
            with writer() as session, session.begin():
                roll_up(session, session.get(Branch, branch_id), day, now)
            done["days_rolled_up"] += 1
        with writer() as session, session.begin():
            done["events_purged"] += purge_events(session, session.get(Branch, branch_id), now, keep_days)
    return done


def purge_events(session: Session, branch: Branch, now: datetime, keep_days: int) -> int:
    """Delete the branch's events older than `keep_days`, but never those of a day whose
    aggregates are not stored yet. Returns how many were deleted."""
    limit = now - timedelta(days=keep_days)
    pending = days_to_roll_up(session, branch, now)
    if pending:
        first_pending = datetime.combine(pending[0], datetime.min.time(), zone(branch.timezone))
        limit = min(limit, first_pending - timedelta(days=1))
    return session.execute(delete(Event).where(Event.branch_id == branch.id, Event.at < limit)).rowcount


# ---- the query -----------------------------------------------------------------------------------

# Branches and services are grouped by id (no join per aggregate row) and named afterwards.
_SQL_DIMENSIONS = {
    "branch": lambda table: table.branch_id, "service": lambda table: table.service_id,
    "language": lambda table: table.language, "day": lambda table: table.day,
    "month": lambda table: table.month, "weekday": lambda table: table.weekday,
    "hour": lambda table: table.hour, "topic": lambda table: table.topic,
}


def compute(session: Session, query: StatQuery, now: datetime) -> dict:
    """The statistics of a period: one row per combination of `query.by`, a total, and topics."""
    if "topic" in query.by and "hour" in query.by:
        raise ValueError("topics are recorded per day: 'topic' cannot be combined with 'hour'")
    branches = session.execute(select(Branch).where(Branch.id.in_(query.branch_ids))).scalars().all()
    services = dict(session.execute(select(Service.id, Service.code)
                                    .where(Service.branch_id.in_(query.branch_ids))).all())
    codes = {b.id: b.code for b in branches}
    live = {b.id: _live_fold(session, b, query, now) for b in branches}
    topic_keys = (*[d for d in query.by if d not in ("topic", "hour")], "topic")
    names = {"branch": codes, "service": services}
    sql_topics = _named(_sql_topics(session, query, topic_keys, services), topic_keys, names)
    topics = _merge(sql_topics, _live_topics(live, query, topic_keys, codes, services))
    if "topic" in query.by:
        rows = [_keys(query.by, key) | {"interventions": count} for key, count in sorted(topics.items(), key=_order)]
        total = {"interventions": sum(topics.values())}
    else:
        stored = _named_vectors(_sql_measures(session, query, services), query.by, names)
        grouped = _merge_vectors(stored, _live_measures(live, query, codes, services))
        if "hour" in query.by:           # hours keep counts and waits: today's events say no more
            for values in grouped.values():
                for index in _DAY_ONLY:
                    values[index] = 0
        rows = [_keys(query.by, key) | summarize(values) for key, values in sorted(grouped.items(), key=_order)]
        total = summarize(_sum_vectors(grouped.values()))
    by_topic: dict[str, int] = defaultdict(int)
    for key, count in topics.items():
        by_topic[key[-1]] += count
    return {"from": query.date_from.isoformat(), "to": query.date_to.isoformat(),
            "branches": sorted(codes.values()), "by": list(query.by), "rows": rows, "total": total,
            "topics": [{"topic": t, "count": c} for t, c in sorted(by_topic.items(), key=lambda i: (-i[1], i[0]))],
            "estimate_error_median_min": total.get("estimate_error_median_min")}


def _order(item):
    return tuple((0, v) if isinstance(v, (int, float)) else (1, str(v)) for v in item[0])


def _keys(by: tuple[str, ...], key: tuple) -> dict:
    out = {}
    for name, value in zip(by, key, strict=True):
        if name == "day":
            value = value.isoformat()
        elif name == "month":
            value = f"{value // 100:04d}-{value % 100:02d}"
        out[name] = value
    return out


def _named(grouped: dict[tuple, int], by: tuple[str, ...], names: dict) -> dict[tuple, int]:
    """Keys with branch and service ids replaced by codes (services of several branches share one)."""
    out: dict[tuple, int] = defaultdict(int)
    for key, value in grouped.items():
        out[_name_key(key, by, names)] += value
    return dict(out)


def _named_vectors(grouped: dict[tuple, list[int]], by: tuple[str, ...], names: dict) -> dict[tuple, list[int]]:
    out: dict[tuple, list[int]] = {}
    for key, values in grouped.items():
        _add(out.setdefault(_name_key(key, by, names), [0] * len(MEASURES)), values)
    return out


def _name_key(key: tuple, by: tuple[str, ...], names: dict) -> tuple:
    return tuple(names[d][v] if d in names else v for d, v in zip(by, key, strict=True))


def _filtered(statement, table, query: StatQuery, services: dict[int, str]):
    statement = statement.where(table.branch_id.in_(query.branch_ids),
                                table.day.between(query.date_from, query.date_to))
    if query.services:
        statement = statement.where(table.service_id.in_([i for i, code in services.items()
                                                          if code in query.services]))
    if query.languages:
        statement = statement.where(table.language.in_(query.languages))
    return statement


def _sql_measures(session: Session, query: StatQuery, services: dict[int, str]) -> dict[tuple, list[int]]:
    table, columns = (StatHour, HOUR_MEASURES) if "hour" in query.by else (StatDay, MEASURES)
    keys = [_SQL_DIMENSIONS[d](table) for d in query.by]
    sums = [func.coalesce(func.sum(getattr(table, m)), 0) for m in columns]
    statement = _filtered(select(*keys, *sums).select_from(table), table, query, services)
    if keys:
        statement = statement.group_by(*keys)
    out = {}
    for row in session.execute(statement):
        values = [0] * len(MEASURES)
        for column, value in zip(columns, row[len(keys):], strict=True):
            values[_INDEX[column]] = int(value)
        if values[_INDEX["tickets"]] or keys:
            out[tuple(row[:len(keys)])] = values
    return out


def _sql_topics(session: Session, query: StatQuery, keys_by: tuple[str, ...],
                services: dict[int, str]) -> dict[tuple, int]:
    keys = [_SQL_DIMENSIONS[d](StatTopic) for d in keys_by]
    statement = _filtered(select(*keys, func.sum(StatTopic.count)).select_from(StatTopic), StatTopic, query,
                          services)
    return {tuple(row[:-1]): int(row[-1]) for row in session.execute(statement.group_by(*keys))}


def _live_fold(session: Session, branch: Branch, query: StatQuery, now: datetime) -> Folded | None:
    """Aggregates of the period's days after the last rolled-up one (normally just today). Days are
    rolled up in order, so an earlier day without stored aggregates had no tickets."""
    rolled_until = last_rolled_up(session, branch.id)
    first = query.date_from if rolled_until is None else max(query.date_from, rolled_until + timedelta(days=1))
    last = min(query.date_to, service_day(branch.timezone, now))
    if last < first:
        return None
    return fold(_visits(session, branch, first, last))


def _live_key(by, branch_code: str, service_code: str, day: date, language: str, hour=None, topic=None) -> tuple:
    values = {"branch": branch_code, "service": service_code, "language": language, "day": day,
              "month": _month(day), "weekday": day.weekday(), "hour": hour, "topic": topic}
    return tuple(values[d] for d in by)


def _wanted(query: StatQuery, service_code: str, language: str) -> bool:
    return ((not query.services or service_code in query.services)
            and (not query.languages or language in query.languages))


def _live_measures(live: dict, query: StatQuery, codes: dict, services: dict) -> dict[tuple, list[int]]:
    out: dict[tuple, list[int]] = {}
    for branch_id, folded in live.items():
        for (day, hour, service_id, language), values in (folded.hours.items() if folded else ()):
            if _wanted(query, services[service_id], language):
                key = _live_key(query.by, codes[branch_id], services[service_id], day, language, hour=hour)
                _add(out.setdefault(key, [0] * len(MEASURES)), values)
    return out


def _live_topics(live: dict, query: StatQuery, keys_by, codes: dict, services: dict) -> dict[tuple, int]:
    out: dict[tuple, int] = defaultdict(int)
    for branch_id, folded in live.items():
        for (day, service_id, language, topic), count in (folded.topics.items() if folded else ()):
            if _wanted(query, services[service_id], language):
                out[_live_key(keys_by, codes[branch_id], services[service_id], day, language, topic=topic)] += count
    return dict(out)


def _merge(a: dict[tuple, int], b: dict[tuple, int]) -> dict[tuple, int]:
    out = dict(a)
    for key, value in b.items():
        out[key] = out.get(key, 0) + value
    return out


def _merge_vectors(a: dict[tuple, list[int]], b: dict[tuple, list[int]]) -> dict[tuple, list[int]]:
    out = {key: list(values) for key, values in a.items()}
    for key, values in b.items():
        _add(out.setdefault(key, [0] * len(MEASURES)), values)
    return out


def _sum_vectors(vectors: Iterable[list[int]]) -> list[int]:
    total = [0] * len(MEASURES)
    for values in vectors:
        _add(total, values)
    return total


def summarize(values: list[int]) -> dict:
    """The published figures of one aggregate vector."""
    count = dict(zip(COUNTS, values, strict=False))
    histograms = {name: [values[_INDEX[c]] for c in histogram_columns(name)] for name in HISTOGRAMS}
    error_s = percentile(histograms["estimate_error"], 0.5)
    return {
        "tickets": count["tickets"], "walk_ins": count["tickets"] - count["appointments"],
        "appointments": count["appointments"], "served": count["served"], "no_show": count["no_show"],
        "cancelled": count["cancelled"], "transferred": count["transferred"],
        "interpreter_requests": count["interpreter_requests"],
        "interpreting_minutes": round(count["interpreting_s"] / 60, 1),
        "wait_median_s": percentile(histograms["wait"], 0.5),
        "wait_p90_s": percentile(histograms["wait"], 0.9),
        "service_median_s": percentile(histograms["service"], 0.5),
        "service_p90_s": percentile(histograms["service"], 0.9),
        "estimate_error_median_min": None if error_s is None else error_s // 60,
    }


def percentile(histogram: list[int], p: float) -> int | None:
    """Nearest-rank percentile as the upper edge of its bucket (the last bucket: its lower edge)."""
    n = sum(histogram)
    if n == 0:
        return None
    rank, seen = max(1, math.ceil(p * n)), 0
    for index, count in enumerate(histogram):
        seen += count
        if seen >= rank:
            return BUCKET_EDGES_S[min(index, BUCKETS - 2)]
    return BUCKET_EDGES_S[-1]

