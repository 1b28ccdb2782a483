"""Benchmark: how long a call takes from the counter's API request to every connected display.

    python bench/display_fanout.py                     # spawns `okenko serve` on a fresh demo instance
    python bench/display_fanout.py --clients 500 --calls 30

N Socket.IO clients connect to /display (websocket) of one branch; then, M times, a ticket is issued
and a counter calls it. Each client notes when its `call` arrives. Printed: p50/p99 latency over all
receipts, p50/p99 of the time until the last client had it, missed receipts. The clients run in
--client-processes processes (asyncio) on the same cores as the server: decoding 500 messages per
call is their work, and their delay is included in the figures.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.issue_tickets import fresh_demo, spawn_server  # noqa: E402

BRANCH, SERVICE, COUNTER_NAME = "praha-iv", "residence", "Přepážka 2"


class Display:
    """A display as light as it gets: the Socket.IO protocol over aiohttp's websocket, reading only
    the ticket number of each `call`. A real display has a CPU of its own; here 500 of them share the
    server's two cores, so they must cost as little as possible to measure the server."""

    def __init__(self, url: str, token: str, receipts: list[tuple[str, float]], counted):
        self.ws_url = url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.auth = json.dumps({"branch": BRANCH, "token": token})
        self.receipts, self.counted = receipts, counted
        self.joined = asyncio.Event()

    async def run(self, session: aiohttp.ClientSession, stop: asyncio.Event) -> None:
        async with session.ws_connect(self.ws_url) as ws:
            listening = asyncio.ensure_future(self._listen(ws))
            await stop.wait()
            listening.cancel()

    async def _listen(self, ws) -> None:
        async for message in ws:
            data = message.data
            if data.startswith('42/display,["call"'):
                at = time.monotonic()     # one system-wide clock for every process
                start = data.index('"number":"') + 10
                self.receipts.append((data[start:data.index('"', start)], at))
                with self.counted.get_lock():
                    self.counted.value += 1
            elif data == "2":
                await ws.send_str("3")
            elif data.startswith("0"):
                await ws.send_str("40/display," + self.auth)
            elif data.startswith("40/display"):
                self.joined.set()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


def displays_process(url: str, token: str, clients: int, counted, ready, stop, results) -> None:
    """One process holding `clients` displays until told to stop; sends back what it received."""
    async def hold() -> list[tuple[str, float]]:
        receipts: list[tuple[str, float]] = []
        done = asyncio.Event()
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            displays = [Display(url, token, receipts, counted) for _ in range(clients)]
            tasks = []
            for start in range(0, clients, 50):   # in waves: a thundering herd is not what we measure
                wave = displays[start:start + 50]
                tasks += [asyncio.ensure_future(d.run(session, done)) for d in wave]
                await asyncio.wait_for(asyncio.gather(*(d.joined.wait() for d in wave)), 30)
            ready.release()
            while not stop.is_set():
                await asyncio.sleep(0.05)
            done.set()
            await asyncio.gather(*tasks, return_exceptions=True)
        return receipts
    results.put(asyncio.run(hold()))


async def calls_against(url: str, token: str, calls: int, clients: int, counted) -> dict[str, float]:
    sent: dict[str, float] = {}
    async with aiohttp.ClientSession(base_url=url) as http:
        staff = await _staff(http, token)
        counter = await _counter_id(http)
        await http.post(f"/api/v1/counters/{counter}/open", headers=staff, json={"force": True})
        for index in range(calls):
            async with http.post("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"},
                                 json={"branch": BRANCH, "service": SERVICE, "language": "cs"}) as response:
                assert response.status == 201, await response.text()
            started = time.monotonic()
            async with http.post(f"/api/v1/counters/{counter}/call-next", headers=staff) as response:
                called = await response.json()
            sent[called["number"]] = started
            deadline = time.monotonic() + 10
            while counted.value < clients * (index + 1) and time.monotonic() < deadline:
                await asyncio.sleep(0.002)
            await http.post(f"/api/v1/tickets/{called['id']}/no-show", headers=staff)
    return sent


def run(url: str, token: str, clients: int, calls: int, processes: int) -> dict:
    context = multiprocessing.get_context("spawn")
    counted, ready, stop, results = context.Value("i", 0), context.Semaphore(0), context.Event(), context.Queue()
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    workers = [context.Process(target=displays_process, args=(url, token, share, counted, ready, stop, results))
               for share in shares]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.acquire()
    sent = asyncio.run(calls_against(url, token, calls, clients, counted))
    stop.set()
    receipts = [item for _ in workers for item in results.get()]
    for worker in workers:
        worker.join()
    by_call: dict[str, list[float]] = {}
    for number, at in receipts:
        by_call.setdefault(number, []).append(at)
    latencies = [(at - sent[number]) * 1000 for number, ats in by_call.items() if number in sent for at in ats]
    last = [(max(ats) - sent[number]) * 1000 for number, ats in by_call.items() if number in sent]
    return {"p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99),
            "all_p50": statistics.median(last), "all_p99": percentile(last, 0.99),
            "missed": clients * calls - len(latencies)}


async def _staff(http: aiohttp.ClientSession, password: str) -> dict:
    async with http.post("/api/v1/auth/token", json={"username": "counsellor", "password": password}) as response:
        return {"Authorization": f"Bearer {(await response.json())['token']}"}


async def _counter_id(http: aiohttp.ClientSession) -> int:
    async with http.get("/api/v1/branches") as response:
        branches = await response.json()
    branch = next(b for b in branches if b["code"] == BRANCH)
    return next(c["id"] for c in branch["counters"] if c["name"] == COUNTER_NAME)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server; default: spawn `okenko serve` on a fresh demo instance")
    parser.add_argument("--token", default=os.environ.get("OKENKO_DEMO_SECRET", "bench-secret"),
                        help="demo secret: display token and counsellor password (default $OKENKO_DEMO_SECRET)")
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--client-processes", type=int, default=2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="okenko-fanout-"))
    server = None
    try:
        url = args.url
        if url is None:
            server, url = spawn_server(fresh_demo(folder, args.token))
        print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}; "
              f"{args.clients} displays in {args.client_processes} processes, {args.calls} calls; server {url}")
        result = run(url, args.token, args.clients, args.calls, args.client_processes)
        print(f"call → each display: p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms")
        print(f"call → all displays: p50 {result['all_p50']:.1f} ms, p99 {result['all_p99']:.1f} ms; "
              f"missed {result['missed']}")
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
