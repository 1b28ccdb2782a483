"""Load shedding: past a process's capacity, refuse early and visibly instead of queueing.

A gevent worker accepts every connection and runs each request in a greenlet; when requests
arrive faster than one process serves them, they all slow down together and some wait for
seconds. This middleware counts the requests in flight in this process and answers 503 with
`Retry-After` once a limit is reached. Public booking traffic (a surge the morning a month of
appointments opens, bots included) has the lower limit, so kiosks, displays and consoles keep
capacity for the people already in the office.
"""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable

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


def is_public_booking(path: str) -> bool:
    return PUBLIC_BOOKING.match(path) is not None


class LoadShedder:
    """WSGI middleware: at most `limit` requests in flight per process, `limit * PUBLIC_SHARE` public ones."""

    def __init__(self, app: Callable, limit: int):
        self.app = app
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
        public = is_public_booking(path)
        if not self._enter(public):
            return self._refuse(path, start_response)
        try:
            # Okénko's views build their whole body before returning; nothing here streams.
            return self.app(environ, start_response)
        finally:
            self._leave(public)

    def _enter(self, public: bool) -> bool:
        with self._lock:
            if self.in_flight >= self.limit or (public and self.public_in_flight >= self.public_limit):
                self.shed += 1
                return False
            self.in_flight += 1
            self.public_in_flight += public
            return True

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
