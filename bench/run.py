"""One entry point for the performance figures of issue 14 (see "Benchmarks" in README.md).

    python bench/run.py                    # everything, on the code of this checkout
    python bench/run.py --code /tmp/before  # the same against another checkout (a "before" figure)
    python bench/run.py --only single      # single process on SQLite only; --only multi: PostgreSQL

Single process on SQLite, at 16 and 64 keep-alive connections: /healthz, issuing a ticket (also at
256), the branch snapshot, the phone's ticket status, public slot reads and contested booking
attempts (then how many appointments the one slot holds). Each path compared with the bare Flask
route (same gunicorn gevent settings) has the bare route measured right before it; the queue paths
(issuing, snapshot, status) are measured at 10 and at 10,000 waiting tickets back to back. The three
servers run side by side, so a ratio's two sides share the machine's mood. Issuing comes last, as it
grows the queues: each of its runs adds thousands of tickets, so its c64 rows start at about 7,000
more than their labels say. Throughput comes from wrk; percentiles from ab (wrk's percentiles break
Little's law against gevent servers).
Several processes on PostgreSQL + Redis: issuing with 1, 2 and 4 workers, and 50 concurrent kiosks
on 3 processes. wrk and ab are Debian packages (wrk, apache2-utils), installed here if missing.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRANCH, SECRET = "praha-iv", "bench-secret"
QUEUE_SERVICE, BOOK_SERVICE = "assistance", "residence"
PG_ADMIN = os.environ.get("OKENKO_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
TMP = Path(tempfile.gettempdir())
REDIS = os.environ.get("OKENKO_BENCH_REDIS", "redis://127.0.0.1:6379/0")


# ---- tools ---------------------------------------------------------------------------------------

def ensure_tools() -> None:
    missing = [pkg for tool, pkg in (("wrk", "wrk"), ("ab", "apache2-utils")) if shutil.which(tool) is None]
    if missing:
        apt = ["apt-get", "install", "-y", "-q", *missing]
        subprocess.run(apt if os.geteuid() == 0 else ["sudo", *apt], check=True,
                       env=os.environ | {"DEBIAN_FRONTEND": "noninteractive"})


def wrk(url: str, connections: int, seconds: float, method: str = "GET", body: str = "",
        headers: dict | None = None, folder: Path = TMP) -> dict:
    script = folder / f"wrk-{uuid.uuid4().hex}.lua"
    lines = [f'wrk.method = "{method}"', f"wrk.body = {json.dumps(body)}"]
    if method == "POST":
        headers = {"Content-Type": "application/json"} | (headers or {})
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in (headers or {}).items()]
    script.write_text("\n".join(lines) + "\n")
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "5s", "-s", str(script),
                          url], capture_output=True, text=True, check=True).stdout
    script.unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    timeouts = re.search(r"timeout (\d+)", out)
    non2xx = int(re.search(r"Non-2xx or 3xx responses: (\d+)", out).group(1)) if "Non-2xx" in out else 0
    # Ratios use successful answers only: a shed 503 or a 409 must not count as work done.
    return {"rps": rate * (total - non2xx) / max(total, 1), "all_rps": rate,
            "timeouts": int(timeouts.group(1)) if timeouts else 0, "non2xx": non2xx}


def ab(url: str, connections: int, seconds: float, method: str = "GET", body: str = "",
       headers: dict | None = None, folder: Path = TMP) -> dict:
    command = ["ab", "-k", "-q", "-s", "5", "-c", str(connections), "-t", str(int(seconds)), "-n", "10000000"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if method == "POST":
        payload = folder / f"ab-{uuid.uuid4().hex}.json"
        payload.write_text(body)
        command += ["-p", str(payload), "-T", "application/json"]
    out = subprocess.run(command + [url], capture_output=True, text=True).stdout
    pct = {int(p): float(ms) for p, ms in re.findall(r"^\s+(\d+)%\s+(\d+)", out, re.M)}
    done = re.search(r"Complete requests:\s+(\d+)", out)
    rate = re.search(r"Requests per second:\s+([\d.]+)", out)
    mean = re.search(r"Time per request:\s+([\d.]+) \[ms\] \(mean\)", out)
    non2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    failed = re.search(r"Failed requests:\s+(\d+)", out)
    if not pct or not rate:
        return {"error": out[-300:]}
    rps, mean_ms = float(rate.group(1)), float(mean.group(1))
    return {"rps": rps, "p50": pct.get(50), "p90": pct.get(90), "p99": pct.get(99), "max": pct.get(100),
            "requests": int(done.group(1)), "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "failed": int(failed.group(1)) if failed else 0,
            # Little's law: connections ≈ rate × mean latency; far off means the figures are not to be trusted.
            "little": rps * mean_ms / 1000 / connections}


# ---- servers -------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180  # a loaded machine starts slowly
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited ({process.returncode})")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


def environment(code: Path, instance: Path, database_url: str = "", workers: int = 1, redis: str = "") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OKENKO_")}
    env |= {"PYTHONPATH": str(code), "OKENKO_INSTANCE_PATH": str(instance), "OKENKO_DEMO_SECRET": SECRET,
            "OKENKO_LOG_LEVEL": "warning", "OKENKO_WORKERS": str(workers),
            "OKENKO_APPOINTMENT_SWEEP_S": "0",
            # Booking attempts come from one address here: the per-address limit is auth's subject.
            "OKENKO_BOOKING_RATE_LIMIT": "1000000 per second"}
    if database_url:
        env["OKENKO_DATABASE_URL"] = database_url
    if redis:
        env["OKENKO_MESSAGE_QUEUE"] = redis
    return env


def prepare(env: dict, code: Path, waiting: int) -> None:
    for step in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([sys.executable, "-m", "okenko.cli", *step], env=env, check=True, capture_output=True,
                       cwd=code)
    subprocess.run([sys.executable, str(Path(__file__)), "--fill", str(waiting)], env=env, check=True, cwd=code)


def fill_queue(waiting: int) -> None:
    """Put `waiting` tickets in one queue: one through the engine, the rest as rows (fast)."""
    sys.path.insert(0, os.environ["PYTHONPATH"])
    from sqlalchemy import insert, select, update

    from config.settings import load_settings
    from models import QueueEngine
    from models.db import make_engine, make_sessions
    from models.queue import Ticket, TicketSequence

    engine = make_engine(load_settings().effective_database_url)
    writer, reader = make_sessions(engine)
    first = QueueEngine(writer, reader).issue_ticket(BRANCH, QUEUE_SERVICE, "cs")
    with writer() as session, session.begin():
        row = session.get(Ticket, first.id)
        base = {c.name: getattr(row, c.name) for c in Ticket.__table__.columns if c.name != "id"}
        rows = [base | {"number": row.number + n, "label": f"{row.label[:1]}{row.number + n:03d}",
                        "token": f"{uuid.uuid4().hex}{n}", "issued_at": row.issued_at + timedelta(microseconds=n),
                        "effective_at": row.effective_at + timedelta(microseconds=n)} for n in range(1, waiting)]
        for start in range(0, len(rows), 1000):
            session.execute(insert(Ticket), rows[start:start + 1000])
        session.execute(update(TicketSequence).where(
            TicketSequence.branch_id == row.branch_id, TicketSequence.service_id == row.issued_service_id,
            TicketSequence.service_day == row.service_day).values(last_number=row.number + waiting))
        last = session.execute(select(Ticket.token).order_by(Ticket.id.desc()).limit(1)).scalar_one()
    Path(os.environ["OKENKO_INSTANCE_PATH"], "last-token").write_text(last)
    engine.dispose()


def booked(env: dict, code: Path, start: str) -> dict:
    """After the contested attempts: how many appointments hold the one slot they all wanted."""
    out = subprocess.run([sys.executable, str(Path(__file__)), "--count-booked", start], env=env, check=True,
                         cwd=code, capture_output=True, text=True).stdout
    row = {"path": "booked", "c": 0, "waiting": 10, **json.loads(out)}   # read by report(), not a rate
    print(json.dumps(row), flush=True)
    return row


def count_booked(start: str) -> None:
    sys.path.insert(0, os.environ["PYTHONPATH"])
    from datetime import datetime

    from sqlalchemy import func, select

    from config.settings import load_settings
    from models.db import make_engine
    from models.org import Branch, Service
    from models.queue import Appointment, AppointmentStatus

    engine = make_engine(load_settings().effective_database_url)
    with engine.connect() as connection:
        held = connection.execute(
            select(func.count()).select_from(Appointment)
            .join(Service, Service.id == Appointment.service_id).join(Branch, Branch.id == Appointment.branch_id)
            .where(Branch.code == BRANCH, Service.code == BOOK_SERVICE,
                   Appointment.start == datetime.fromisoformat(start),
                   Appointment.status != AppointmentStatus.CANCELLED.value)).scalar_one()
    print(json.dumps({"booked": held}))
    engine.dispose()


def serve(env: dict, code: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "okenko.cli", "serve", "--port", str(port)], env=env,
                               cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    return process, _ready(process, f"http://127.0.0.1:{port}", "/healthz")


def serve_bare(code: Path, folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = environment(code, folder) | {"PYTHONPATH": f"{ROOT / 'bench'}:{code}"}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(code / "config" / "gunicorn.conf.py"),
                                "--bind", f"127.0.0.1:{port}", "bare_app:app"], env=env, cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    return process, _ready(process, f"http://127.0.0.1:{port}", "/bare")


def _ready(process: subprocess.Popen, url: str, probe: str) -> str:
    try:
        wait_ready(url + probe, process)
    except BaseException:
        stop(process)   # started in a session of its own: nothing else would stop it
        raise
    return url


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass            # already gone
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


# ---- what is measured ------------------------------------------------------------------------------

def paths(url: str, instance: Path) -> dict[str, dict]:
    kiosk = {"Authorization": f"Bearer {SECRET}"}
    token = (instance / "last-token").read_text().strip()
    day = json.loads(urllib.request.urlopen(
        f"{url}/api/v1/branches/{BRANCH}/booking-days?service={BOOK_SERVICE}").read())[-1]["date"]
    slots = json.loads(urllib.request.urlopen(
        f"{url}/api/v1/branches/{BRANCH}/slots?service={BOOK_SERVICE}&date={day}").read())
    book = {"branch": BRANCH, "service": BOOK_SERVICE, "language": "cs", "start": slots[-1]["start"]}
    return {
        "healthz": {"url": f"{url}/healthz"},
        "issue": {"url": f"{url}/api/v1/tickets", "method": "POST", "headers": kiosk,
                  "body": json.dumps({"branch": BRANCH, "service": QUEUE_SERVICE, "language": "cs"})},
        "snapshot": {"url": f"{url}/api/v1/branches/{BRANCH}/snapshot"},
        "status": {"url": f"{url}/api/v1/tickets/{token}"},
        "slots": {"url": f"{url}/api/v1/branches/{BRANCH}/slots?service={BOOK_SERVICE}&date={day}"},
        "slots_html": {"url": f"{url}/book/{BRANCH}/{BOOK_SERVICE}?date={day}"},
        # Contested: every attempt wants the same slot; after its places are gone the answer is 409.
        "booking": {"url": f"{url}/api/v1/appointments", "method": "POST", "body": json.dumps(book),
                    "capacity": slots[-1]["capacity"]},
    }


# Far more kiosks at once than an office has: their wait shows what queueing costs. Refusals (503)
# begin once requests wait a second in the process (okenko/shedding.py), about 1,000 connections at
# today's ≈ 1 ms a ticket (256 did pass that at 4 ms a ticket); tests/api/test_load_shedding.py shows them.
OVERLOAD = 256


def measure(name: str, spec: dict, connections: int, seconds: float, folder: Path, waiting: int = 10,
            **about) -> dict:
    args = dict(method=spec.get("method", "GET"), body=spec.get("body", ""), headers=spec.get("headers"),
                folder=folder)
    # The previous run's abandoned requests drain first: they would shed this run's public reads.
    time.sleep(1)
    throughput = wrk(spec["url"], connections, seconds, **args)
    latency = ab(spec["url"], connections, seconds, **args)
    row = {"path": name, "c": connections, "waiting": waiting, "wrk_rps": throughput["rps"],
           "wrk_all_rps": throughput["all_rps"], "wrk_timeouts": throughput["timeouts"],
           "wrk_non2xx": throughput["non2xx"]} | about | {f"ab_{k}": v for k, v in latency.items()}
    print(json.dumps(row), flush=True)
    return row


# Each ratio's two sides are measured back to back: this machine's speed drifts by a quarter within a
# run, so a bare figure from minutes earlier made ratios of noise. The bare route, the queue of 10 and
# the queue of 10,000 are served all along (idle servers cost nothing) and measured in turns.
BESIDE_BARE = ("healthz", "issue", "slots", "slots_html")
QUEUE_PATHS = ("issue", "snapshot", "status")


def single(code: Path, folder: Path, seconds: float) -> list[dict]:
    rows, servers = [], []
    try:
        bare, bare_url = serve_bare(code, folder)
        servers.append(bare)
        specs = {}
        for waiting in (10, 10_000):
            instance = folder / f"single-{waiting}"
            env = environment(code, instance)
            prepare(env, code, waiting)
            process, url = serve(env, code)
            servers.append(process)
            specs[waiting] = (env, paths(url, instance))
        env, small = specs[10]
        # Issuing grows the queues by thousands: the reads are measured before it, at the queues' sizes.
        for name in sorted(small, key=lambda n: n == "issue"):
            for c in (16, 64):
                if name in BESIDE_BARE:
                    rows.append(measure("bare", {"url": f"{bare_url}/bare"}, c, seconds, folder, 0, beside=name))
                for waiting in ((10, 10_000) if name in QUEUE_PATHS else (10,)):
                    rows.append(measure(name, specs[waiting][1][name], c, seconds, folder, waiting))
            if name == "issue":
                rows.append(measure(name, small[name], OVERLOAD, seconds, folder, 10))
            if name == "booking":
                rows.append(booked(env, code, json.loads(small[name]["body"])["start"]) | {"capacity": small[name]["capacity"]})
    finally:
        for process in servers:
            try:
                stop(process)
            except BaseException as exc:  # the others must stop all the same
                print(f"# could not stop server {process.pid}: {exc!r}", flush=True)
    return rows


def multi(code: Path, folder: Path, seconds: float) -> list[dict]:
    from sqlalchemy.engine import make_url
    rows = []
    admin = make_url(PG_ADMIN)
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    for workers, connections in ((1, 16), (2, 16), (4, 16), (3, 50)):
        try:
            rows.append(multi_one(code, folder, seconds, workers, connections, dsn, admin))
        except SystemExit as exc:  # one configuration failing must not lose the others' figures
            print(f"# {workers} workers: {exc}", flush=True)
    return rows


def multi_one(code: Path, folder: Path, seconds: float, workers: int, connections: int, dsn: str, admin) -> dict:
    """Issuing on a fresh PostgreSQL database with `workers` processes sharing Redis."""
    import psycopg
    name = f"okenko_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        instance = folder / f"multi-{workers}-{connections}"
        env = environment(code, instance, admin.set(database=name).render_as_string(hide_password=False),
                          workers, REDIS)
        prepare(env, code, 10)
        process, url = serve(env, code)
        try:
            spec = paths(url, instance)["issue"]
            return measure(f"issue_pg_w{workers}", spec, connections, seconds, folder) | {"workers": workers}
        finally:
            stop(process)
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(rows: list[dict]) -> None:
    print(f"\n{'path':<14}{'wait':>6}{'c':>4}{'wrk r/s':>9}{'ab r/s':>8}{'p50':>6}{'p90':>6}{'p99':>7}{'max':>7}"
          f"{'t/o':>5}{'non2xx':>8}{'little':>7}")
    for r in rows:
        if r["path"] == "booked":
            continue
        print(f"{r['path']:<14}{r.get('waiting', ''):>6}{r['c']:>4}{r['wrk_rps']:>9.0f}{r.get('ab_rps', 0):>8.0f}"
              f"{r.get('ab_p50') or 0:>6.0f}{r.get('ab_p90') or 0:>6.0f}{r.get('ab_p99') or 0:>7.0f}"
              f"{r.get('ab_max') or 0:>7.0f}{r['wrk_timeouts']:>5}{r['wrk_non2xx'] + r.get('ab_non2xx', 0):>8}"
              f"{r.get('ab_little') or 0:>7.2f}")
    by = {(r["path"], r.get("waiting"), r["c"]): r for r in rows if r["path"] != "bare"}
    bare = {(r["beside"], r["c"]): r for r in rows if r["path"] == "bare"}
    print()
    for c in (16, 64):
        for name in BESIDE_BARE:
            if (name, 10, c) in by and (name, c) in bare:
                print(f"c={c} {name}/bare: {by[(name, 10, c)]['wrk_rps'] / bare[(name, c)]['wrk_rps']:.2f} "
                      f"(bare measured right before: {bare[(name, c)]['wrk_rps']:.0f} r/s)")
        for name in ("issue", "snapshot", "status"):
            small, large = by.get((name, 10, c)), by.get((name, 10_000, c))
            if small and large:
                print(f"c={c} {name} cost at 10,000 / at 10 waiting: {small['wrk_rps'] / large['wrk_rps']:.2f}×")
        for name in ("issue", "healthz", "snapshot", "status"):
            r = by.get((name, 10, c))
            if r and r.get("ab_p50") is not None:
                print(f"c={c} {name} p99/p50: {r['ab_p99'] / max(r['ab_p50'], 1):.1f} (max {r['ab_max']} ms)")
    for c in (16, 64):
        slots, attempts = by.get(("slots", 10, c)), by.get(("booking", 10, c))
        if slots and attempts:
            print(f"c={c} booking surge: {slots['wrk_rps']:.0f} slot reads/s, {attempts['wrk_all_rps']:.0f} booking "
                  f"attempts answered/s (201 booked, 409 full or 503 busy)")
    held = by.get(("booked", 10, 0))
    if held:
        print(f"contested slot: {held['booked']} appointments for {held['capacity']} places "
              f"({'overbooked' if held['booked'] > held['capacity'] else 'never overbooked'})")
    overload = by.get(("issue", 10, OVERLOAD))
    if overload:
        print(f"c={OVERLOAD} issue: {overload['wrk_rps']:.0f} tickets/s, {overload['wrk_non2xx']} shed (503) by wrk, "
              f"p99 {overload['ab_p99']} ms, max {overload['ab_max']} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose code is measured")
    parser.add_argument("--only", choices=("single", "multi"))
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--fill", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count-booked", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill:
        return fill_queue(args.fill)
    if args.count_booked:
        return count_booked(args.count_booked)
    ensure_tools()
    folder = Path(tempfile.mkdtemp(prefix="okenko-bench-"))
    rows: list[dict] = []
    try:
        if args.only in (None, "single"):
            rows += single(args.code.resolve(), folder, args.seconds)
        if args.only in (None, "multi"):
            rows += multi(args.code.resolve(), folder, args.seconds)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
