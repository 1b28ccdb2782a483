"""Benchmark: reading free slots and booking appointments over HTTP, racing for the same places.

    python bench/book_appointments.py          # spawns `okenko serve` on a fresh demo instance
    python bench/book_appointments.py --url http://127.0.0.1:8000

Phase 1: N clients read a day's slots (GET …/slots) for a fixed time: requests/s, p50/p99.
Phase 2: N clients book Residence counselling (2 places a slot) walking the same slots in the same
order, so every place is contested; it counts 201s and 409s and checks that no slot holds more
appointments than its capacity. Booking must be unlimited per address for this (set below).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import statistics
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from issue_tickets import fresh_demo, read_response, spawn_server

BRANCH, SERVICE, CAPACITY = "praha-iv", "residence", 2


def summary(latencies: list[float], seconds: float, statuses: Counter) -> dict:
    ordered = sorted(latencies)
    return {"requests": len(ordered), "per_second": len(ordered) / seconds,
            "p50_ms": 1000 * statistics.median(ordered) if ordered else float("nan"),
            "p99_ms": 1000 * ordered[int(0.99 * (len(ordered) - 1))] if ordered else float("nan"),
            "statuses": dict(statuses)}


async def exchange(reader, writer, host: str, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n"
    if body:
        head += "Content-Type: application/json\r\n"
    writer.write((head + "\r\n").encode() + body)
    return await read_response(reader)


async def read_slots(url: str, day: date, clients: int, seconds: float) -> dict:
    parts = urlsplit(url)
    latencies, statuses = [], Counter()
    path = f"/api/v1/branches/{BRANCH}/slots?service={SERVICE}&date={day.isoformat()}"
    stop_at = time.perf_counter() + seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            status, _ = await exchange(reader, writer, parts.netloc, "GET", path)
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return summary(latencies, time.perf_counter() - started, statuses)


async def book_all(url: str, starts: list[str], clients: int) -> tuple[dict, Counter]:
    parts = urlsplit(url)
    latencies, statuses, per_slot = [], Counter(), Counter()

    async def client(index: int) -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        for start in starts:
            body = json.dumps({"branch": BRANCH, "service": SERVICE, "language": "vi", "start": start}).encode()
            began = time.perf_counter()
            status, payload = await exchange(reader, writer, parts.netloc, "POST", "/api/v1/appointments", body)
            latencies.append(time.perf_counter() - began)
            statuses[status] += 1
            if status == 201:
                per_slot[json.loads(payload)["start"]] += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return summary(latencies, time.perf_counter() - started, statuses), per_slot


def free_starts(url: str, day: date) -> list[str]:
    path = f"{url}/api/v1/branches/{BRANCH}/slots?service={SERVICE}&date={day.isoformat()}"
    with urllib.request.urlopen(path) as response:
        return [slot["start"] for slot in json.load(response) if slot["free"]]


def print_row(name: str, result: dict) -> None:
    print(f"{name:<8} {result['requests']:>8} {result['per_second']:>9.0f} {result['p50_ms']:>9.2f} "
          f"{result['p99_ms']:>9.2f}  {result['statuses']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server with unlimited booking; default: spawn one")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--days", type=int, default=3, help="days of slots the booking phase races for")
    args = parser.parse_args()

    server = None
    url = args.url
    if url is None:
        folder = Path(tempfile.mkdtemp(prefix="okenko-bench-"))
        env = fresh_demo(folder, "bench-secret") | {"OKENKO_BOOKING_RATE_LIMIT": "1000000 per minute"}
        server, url = spawn_server(env)
    try:
        tomorrow = date.today() + timedelta(days=1)
        print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"{args.clients} clients; server {url}")
        print(f"{'phase':<8} {'requests':>8} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}  statuses")
        print_row("slots", asyncio.run(read_slots(url, tomorrow, args.clients, args.seconds)))
        starts = [s for n in range(args.days) for s in free_starts(url, tomorrow + timedelta(days=n))]
        booked, per_slot = asyncio.run(book_all(url, starts, args.clients))
        print_row("book", booked)
        over = {start: count for start, count in per_slot.items() if count > CAPACITY}
        print(f"# {len(starts)} slots × {CAPACITY} places contested by {args.clients} clients: "
              f"{sum(per_slot.values())} booked (expected {len(starts) * CAPACITY}), overbooked slots: {len(over)}")
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
