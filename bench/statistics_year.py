"""Benchmark: a year of three busy branches (~900,000 tickets and their events), then a year's statistics.

    python bench/statistics_year.py                      # SQLite in a temporary folder, then PostgreSQL
    python bench/statistics_year.py --only sqlite --tickets-per-day 300   # smaller, quicker

Fills the demo organisation with `okenko.history` (bulk inserts, as `seed-demo --history-days`),
stores the daily aggregates with the sweep's roll-up, then times `models.statistics.compute` for a
whole year in several groupings (median of 3 runs each, after one warm-up) and prints the figures
with the conditions. The goal: a year's statistics in under a second on both databases.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text  # noqa: E402

from models import Branch, Event, Ticket, utcnow  # noqa: E402
from models.db import make_engine, make_sessions  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.numbering import service_day  # noqa: E402
from models.statistics import StatQuery, compute, maintain  # noqa: E402

PG_ADMIN = os.environ.get("OKENKO_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
GROUPINGS = [("service", "language"), ("branch",), ("month",), ("hour", "weekday"), ("topic",), ("day",)]


def run(url: str, days: int, per_day: int, replicate: int = 1) -> dict:
    from okenko.demo import seed_demo
    from okenko.history import Plan, fill
    upgrade(url)
    engine = make_engine(url)
    writer, reader = make_sessions(engine)
    now = utcnow()
    with writer() as session, session.begin():
        seed_demo(session, "bench")
    started = time.perf_counter()
    with writer() as session, session.begin():
        written = fill(session, Plan(days=days, tickets_per_day=per_day), now)
    fill_s = time.perf_counter() - started
    if engine.dialect.name == "postgresql":      # as autovacuum would after such a load
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    started = time.perf_counter()
    rolled = maintain(writer, now, keep_days=10 * 365, full=True)["days_rolled_up"]
    rollup_s = time.perf_counter() - started
    if replicate > 1:
        _replicate(writer, days, replicate)
        days *= replicate
    with reader() as session:
        events = session.execute(select(func.count()).select_from(Event)).scalar_one()
        tickets = session.execute(select(func.count()).select_from(Ticket)).scalar_one()
        branches = tuple(session.execute(select(Branch.id)).scalars())
        timezone = session.execute(select(Branch.timezone)).scalars().first()
    today = service_day(timezone, now)
    timings = {}
    for by in GROUPINGS:
        query = StatQuery(today - timedelta(days=days), today, branches, by=by)
        runs, cpu = [], []
        for attempt in range(4):
            with reader() as session:
                started, started_cpu = time.perf_counter(), time.process_time()
                result = compute(session, query, now)
                if attempt:
                    runs.append(time.perf_counter() - started)
                    cpu.append(time.process_time() - started_cpu)
        timings[",".join(by)] = (statistics.median(runs), statistics.median(cpu), len(result["rows"]),
                                 result["total"].get("tickets"))
    engine.dispose()
    return {"tickets": tickets, "written": written, "events": events, "fill_s": fill_s, "rolled_days": rolled,
            "rollup_s": rollup_s, "timings": timings, "replicate": replicate}


def _replicate(writer, days: int, times: int) -> None:
    """Copy the stored aggregates of the filled days `times` − 1 times further into the past: a year
    of aggregates of the same shape as a year of real days, when filling a real year takes too long
    on the machine at hand (the query reads only these rows)."""
    from sqlalchemy import insert

    from models import StatDay, StatHour, StatRollup, StatTopic
    with writer() as session, session.begin():
        for table in (StatDay, StatHour, StatTopic, StatRollup):
            rows = [dict(row._mapping) for row in session.execute(select(table.__table__))]
            for copy in range(1, times):
                shifted = []
                for row in rows:
                    day = row["day"] - timedelta(days=days * copy)
                    shifted.append(row | {"day": day} | ({"month": day.year * 100 + day.month, "weekday": day.weekday()}
                                                         if "month" in row else {}))
                session.execute(insert(table.__table__), shifted)


def report(name: str, figures: dict) -> None:
    print(f"\n== {name}: {figures['tickets']:,} tickets, {figures['events']:,} events; "
          f"fill {figures['fill_s']:.0f} s, roll-up of {figures['rolled_days']} branch-days {figures['rollup_s']:.0f} s")
    if figures["replicate"] > 1:
        print(f"   their aggregates copied {figures['replicate']} times back in time: the queries read as many "
              f"rows as for {figures['tickets'] * figures['replicate']:,} tickets")
    print(f"   load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; wall time, and this "
          "process's CPU time (the whole query on SQLite; only the client side on PostgreSQL)")
    for by, (seconds, cpu, rows, tickets) in figures["timings"].items():
        print(f"   year by {by:<18} {seconds * 1000:8.0f} ms wall {cpu * 1000:8.0f} ms CPU  "
              f"({rows} rows, {tickets} tickets)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--tickets-per-day", type=int, default=1100,
                        help="an ordinary weekday of one branch (weekends lighter): 1100 ≈ 900,000 a year")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--replicate", type=int, default=1,
                        help="fill --days real days, then copy their aggregates this many times back in time "
                             "(e.g. --days 28 --replicate 13 for a year's aggregates from four real weeks)")
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPU(s); "
          f"{args.days} days × 3 branches, {args.tickets_per_day} tickets on an ordinary weekday")
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            report("SQLite", run(f"sqlite:///{folder}/bench.db", args.days, args.tickets_per_day,
                                     args.replicate))
    if args.only in (None, "postgresql"):
        import psycopg
        from sqlalchemy.engine import make_url
        admin_url = make_url(PG_ADMIN)
        dsn = admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
        name = f"okenko_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
            try:
                report("PostgreSQL", run(admin_url.set(database=name).render_as_string(hide_password=False),
                                         args.days, args.tickets_per_day, args.replicate))
            finally:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
