"""Load shedding: past a process's capacity, refuse early and visibly instead of queueing.

A gevent worker accepts every connection and runs each request in a greenlet; when requests
arrive faster than one process serves them, they all slow down together and some wait for
seconds. Two signals, either refuses with 503 and `Retry-After`:
- requests in flight in this process (views that wait on a network database or a printer);
- the queueing delay: how long a greenlet ready to run waits for its turn (`LoopLag`). A view on
  SQLite never yields, so requests never overlap in flight; those that arrive meanwhile wait
  in the scheduler's run queue, and that wait is what the lag measures.
Public booking traffic (a surge the morning a month of appointments opens, bots included) is
refused first (half the in-flight limit, a quarter second of delay), so kiosks, displays and
consoles keep capacity for the people already in the office; they are refused only past a second.
"""
from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

# Paths of the public booking site and its API; everything else (kiosk, display, console, staff,
# the phone's ticket status, health) is served first.
PUBLIC_BOOKING = re.compile(
    r"^/(book|a)(/|$)"
    r"|^/api/v1/branches/[^/]+/(slots|booking-days)$"
    r"|^/api/v1/appointments(/[^/]+(/rebook)?)?$"
)
RETRY_AFTER_S = 2
# Websockets and long-polls hold their request for the connection's lifetime: not counted.
LONG_LIVED = "/socket.io"
# Public booking may use this share of the in-flight limit.
PUBLIC_SHARE = 0.5
# Queueing delay from which public booking, and then every request, is refused.
PUBLIC_LAG_S = 0.25
ANY_LAG_S = 1.0


class LoopLag:
    """How long a greenlet that is ready to run waits in this gevent process before it runs: the
    time requests wait for their turn. Measured by going to the back of the run queue (sleep(0))
    and timing the return, every SAMPLE_S; a timer's lateness would not do, because the hub looks at
    its clock only every 50 ready greenlets. Two waits in a row count (one long wait is a hiccup, an
    overload makes every one long), smoothed: the figure rises at once and halves in about 0.15 s.

    One per process (the scheduler is the process's), started by the first request served in the
    worker process itself (gunicorn forks after the app is built). Only under gevent: with OS
    threads views overlap, and the in-flight count sees the load."""

    SAMPLE_S = 0.05
    DECAY = 0.8

    def __init__(self) -> None:
        self.seconds = 0.0
        self._last = 0.0
        self._started_in: int | None = None
        self._lock = threading.Lock()

    def ensure_running(self) -> None:
        if self._started_in == os.getpid():
            return
        with self._lock:
            if self._started_in != os.getpid():
                self._started_in = os.getpid()
                if _under_gevent():
                    threading.Thread(target=self._watch, name="okenko-loop-lag", daemon=True).start()

    def _watch(self) -> None:
        import gevent
        while True:
            gevent.sleep(self.SAMPLE_S)
            started = time.monotonic()
            gevent.sleep(0)  # behind every greenlet ready to run: requests served without yielding
            self.observe(time.monotonic() - started)

    def observe(self, late: float) -> None:
        sustained, self._last = min(late, self._last), late
        self.seconds = max(sustained, self.seconds * self.DECAY)


def _under_gevent() -> bool:
    try:
        from gevent import monkey
    except ImportError:
        return False
    return monkey.is_module_patched("threading")


loop_lag = LoopLag()


def is_public_booking(path: str) -> bool:
    return PUBLIC_BOOKING.match(path) is not None


class LoadShedder:
    """WSGI middleware: at most `limit` requests in flight per process, `limit * PUBLIC_SHARE` public
    ones, and none while requests wait in this process longer than the lag thresholds."""

    def __init__(self, app: Callable, limit: int, lag: LoopLag = loop_lag):
        self.app = app
        self.lag = lag
        self.limit = limit
        self.public_limit = max(1, int(limit * PUBLIC_SHARE))
        self.in_flight = 0
        self.public_in_flight = 0
        self.shed = 0
        self._lock = threading.Lock()  # a gevent lock once gunicorn's gevent worker has patched threading

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(LONG_LIVED):
            return self.app(environ, start_response)
        self.lag.ensure_running()
        public = is_public_booking(path)
        if not self._enter(public):
            return self._refuse(path, start_response)
        try:
            # Okénko's views build their whole body before returning; nothing here streams.
            return self.app(environ, start_response)
        finally:
            self._leave(public)

    def _enter(self, public: bool) -> bool:
        delay = self.lag.seconds
        with self._lock:
            if (self.in_flight >= self.limit or delay >= ANY_LAG_S
                    or (public and (self.public_in_flight >= self.public_limit or delay >= PUBLIC_LAG_S))):
                self.shed += 1
                return False
            self.in_flight += 1
            self.public_in_flight += public
            return True

    @contextmanager
    def set_aside(self) -> Iterator[None]:
        """The request is queued elsewhere in the process meanwhile (a kiosk tap waiting for its batch
        to be issued), not worked on: it does not count in flight. How long it waits is the time the
        batches before it take, which the loop lag sees while they are built."""
        with self._lock:
            self.in_flight -= 1
        try:
            yield
        finally:
            with self._lock:
                self.in_flight += 1

    def _leave(self, public: bool) -> None:
        with self._lock:
            self.in_flight -= 1
            self.public_in_flight -= public

    def _refuse(self, path: str, start_response: Callable) -> list[bytes]:
        message = "The server is busy; please try again in a moment."
        if path.startswith("/api/") or path == "/healthz":
            body = json.dumps({"error": "busy", "message": message, "retry_after_s": RETRY_AFTER_S}).encode()
            kind = "application/json"
        else:
            body = message.encode()
            kind = "text/plain; charset=utf-8"
        start_response("503 Service Unavailable", [("Content-Type", kind), ("Content-Length", str(len(body))),
                                                    ("Retry-After", str(RETRY_AFTER_S)),
                                                    ("Cache-Control", "no-store")])
        return [body]
