"""Benchmark: issuing tickets over HTTP, and the same transaction without HTTP.

    python bench/issue_tickets.py                      # spawns `okenko serve` on a fresh demo instance
    python bench/issue_tickets.py --url http://127.0.0.1:8000 --token KIOSK_TOKEN

N clients (keep-alive connections) post tickets for a fixed time; it prints tickets/s, p50/p99
latency, errors and duplicate numbers. Then it runs the engine's issue transaction directly on a
fresh SQLite demo database with N threads for the same time, and prints the ratio HTTP/raw.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVICES = ("assistance", "residence", "legal", "interpreting")
LANGUAGES = ("vi", "ru", "mn", "uk", "ar", "en", "fr", "cs")


class Results:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.numbers: list[tuple[str, str]] = []
        self.errors: Counter[str] = Counter()

    def summary(self, seconds: float) -> dict:
        ordered = sorted(self.latencies)
        duplicates = sum(count - 1 for count in Counter(self.numbers).values() if count > 1)
        return {
            "tickets": len(self.numbers),
            "per_second": len(self.numbers) / seconds,
            "p50_ms": 1000 * statistics.median(ordered) if ordered else float("nan"),
            "p99_ms": 1000 * ordered[int(0.99 * (len(ordered) - 1))] if ordered else float("nan"),
            "duplicates": duplicates,
            "errors": dict(self.errors),
        }


# ---- HTTP load: raw keep-alive HTTP/1.1 on asyncio, so the client costs little CPU ----------

async def http_client(host: str, port: int, token: str, branch: str, index: int, stop_at: float,
                      results: Results) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    sent = 0
    try:
        while time.perf_counter() < stop_at:
            body = json.dumps({"branch": branch, "service": SERVICES[(index + sent) % len(SERVICES)],
                               "language": LANGUAGES[(index + sent) % len(LANGUAGES)]}).encode()
            request = (f"POST /api/v1/tickets HTTP/1.1\r\nHost: {host}:{port}\r\n"
                       f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                       f"Content-Length: {len(body)}\r\n\r\n").encode() + body
            started = time.perf_counter()
            writer.write(request)
            status, payload = await read_response(reader)
            results.latencies.append(time.perf_counter() - started)
            sent += 1
            if status == 201:
                ticket = json.loads(payload)
                results.numbers.append((ticket["service"], ticket["number"]))
            else:
                results.errors[str(status)] += 1
    finally:
        writer.close()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    return status, await reader.readexactly(length)


async def http_load(url: str, token: str, branch: str, clients: int, seconds: float) -> dict:
    parts = urlsplit(url)
    results = Results()
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(*(http_client(parts.hostname, parts.port or 80, token, branch, i, stop_at, results)
                           for i in range(clients)))
    return results.summary(time.perf_counter() - started)


# ---- the same transaction without HTTP -----------------------------------------------------------

def raw_load(database_url: str, branch: str, threads: int, seconds: float) -> dict:
    from models import QueueEngine
    from models.db import make_engine, make_sessions

    engine = make_engine(database_url)
    writer, reader = make_sessions(engine)
    queue = QueueEngine(writer, reader)
    results = Results()
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker(index: int) -> None:
        mine = Results()
        sent = 0
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            ticket = queue.issue_ticket(branch, SERVICES[(index + sent) % len(SERVICES)],
                                        LANGUAGES[(index + sent) % len(LANGUAGES)])
            mine.latencies.append(time.perf_counter() - started)
            mine.numbers.append((ticket.service, ticket.number))
            sent += 1
        with lock:
            results.latencies += mine.latencies
            results.numbers += mine.numbers

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    summary = results.summary(time.perf_counter() - started)
    engine.dispose()
    return summary


# ---- a fresh demo instance -------------------------------------------------------------------

def fresh_demo(folder: Path, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OKENKO_")}
    env |= {"OKENKO_INSTANCE_PATH": str(folder), "OKENKO_DEMO_SECRET": secret, "OKENKO_LOG_LEVEL": "warning"}
    for step in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([sys.executable, "-m", "okenko.cli", *step], env=env, check=True, capture_output=True)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def spawn_server(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "okenko.cli", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def print_row(name: str, result: dict) -> None:
    print(f"{name:<6} {result['tickets']:>8} {result['per_second']:>10.0f} {result['p50_ms']:>9.2f} "
          f"{result['p99_ms']:>9.2f} {result['duplicates']:>6} {result['errors'] or '-'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server; default: spawn `okenko serve` on a fresh demo instance")
    parser.add_argument("--token", default=os.environ.get("OKENKO_DEMO_SECRET", "bench-secret"),
                        help="kiosk device token (default: $OKENKO_DEMO_SECRET)")
    parser.add_argument("--branch", default="praha-iv")
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients / raw threads")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--raw-db", help="database URL for the raw run (default: a fresh SQLite demo)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="okenko-bench-"))
    server = None
    try:
        url = args.url
        if url is None:
            env = fresh_demo(folder / "http", args.token)
            server, url = spawn_server(env)
        print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"{args.clients} clients, {args.seconds:.0f} s each; server {url}")
        http = asyncio.run(http_load(url, args.token, args.branch, args.clients, args.seconds))
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            server = None
        raw_url = args.raw_db
        if raw_url is None:
            fresh_demo(folder / "raw", args.token)
            raw_url = f"sqlite:///{folder / 'raw' / 'okenko.db'}"
        raw = raw_load(raw_url, args.branch, args.clients, args.seconds)
        print(f"{'run':<6} {'tickets':>8} {'tickets/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'dups':>6} errors")
        print_row("http", http)
        print_row("raw", raw)
        print(f"ratio http/raw: {http['per_second'] / raw['per_second']:.2f}")
    finally:
        if server is not None:
            server.kill()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
