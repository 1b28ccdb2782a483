"""Past a process's capacity requests are refused at once with 503 and Retry-After; public booking
traffic is refused first, so kiosks, displays and consoles keep their share."""
from __future__ import annotations

import json
import threading

import pytest
from werkzeug.test import Client

from okenko.shedding import LoadShedder, LoopLag, is_public_booking

DEADLINE_S = 10


class HeldApp:
    """A WSGI app whose requests stay in flight until released."""

    def __init__(self):
        self.release = threading.Event()
        self.entered = threading.Semaphore(0)

    def __call__(self, environ, start_response):
        self.entered.release()
        assert self.release.wait(DEADLINE_S)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"served"]


@pytest.fixture
def held():
    app = HeldApp()
    shedder = LoadShedder(app, limit=4)
    threads = []

    def occupy(path: str, count: int) -> None:
        for _ in range(count):
            thread = threading.Thread(target=Client(shedder).get, args=(path,))
            thread.start()
            threads.append(thread)
            assert app.entered.acquire(timeout=DEADLINE_S)

    yield shedder, occupy
    app.release.set()
    for thread in threads:
        thread.join(DEADLINE_S)


def test_a_full_process_refuses_with_503_and_retry_after(held):
    shedder, occupy = held
    occupy("/api/v1/tickets", 4)
    response = Client(shedder).post("/api/v1/tickets")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert json.loads(response.data) == {"error": "busy", "message": "The server is busy; please try again in a "
                                         "moment.", "retry_after_s": 2}
    assert shedder.shed == 1


def test_public_booking_gets_half_and_the_kiosk_keeps_the_rest(held):
    shedder, occupy = held
    occupy("/api/v1/branches/b1/slots", 2)
    assert Client(shedder).get("/book/b1/residence").status_code == 503
    assert Client(shedder).get("/api/v1/branches/b1/booking-days").status_code == 503
    occupy("/kiosk", 1)
    occupy("/api/v1/branches/b1/snapshot", 1)  # the display: still served
    assert Client(shedder).get("/counter").status_code == 503  # now the process is full


def test_finished_requests_free_their_place():
    app = HeldApp()
    app.release.set()
    shedder = LoadShedder(app, limit=1)
    for _ in range(3):
        assert Client(shedder).get("/book").status_code == 200
    assert (shedder.in_flight, shedder.public_in_flight, shedder.shed) == (0, 0, 0)


def test_websockets_are_not_counted(held):
    shedder, occupy = held
    occupy("/socket.io/", 6)
    assert shedder.in_flight == 0


@pytest.mark.parametrize(("path", "public"), [
    ("/book", True), ("/book/praha-iv/residence", True), ("/a/ABCD-1234", True), ("/a", True),
    ("/api/v1/branches/praha-iv/slots", True), ("/api/v1/branches/praha-iv/booking-days", True),
    ("/api/v1/appointments", True), ("/api/v1/appointments/ABCD1234", True),
    ("/api/v1/appointments/ABCD1234/rebook", True),
    ("/api/v1/appointments/ABCD1234/print", False), ("/api/v1/branches/praha-iv/appointments", False),
    ("/api/v1/tickets", False), ("/kiosk", False), ("/display", False), ("/counter", False),
    ("/api/v1/branches/praha-iv/snapshot", False), ("/t/sometoken", False), ("/healthz", False),
    ("/bookmarks", False), ("/about", False),
])
def test_which_paths_are_public_booking(path, public):
    assert is_public_booking(path) is public


class SetLag:
    def __init__(self, seconds: float):
        self.seconds = seconds

    def ensure_running(self) -> None:
        pass


def served(shedder, path: str) -> int:
    return Client(shedder).get(path).status_code


def test_a_quarter_second_of_queueing_refuses_public_booking_and_a_second_everything():
    app = HeldApp()
    app.release.set()
    lag = SetLag(0.2)
    shedder = LoadShedder(app, limit=64, lag=lag)
    assert [served(shedder, p) for p in ("/book", "/api/v1/tickets", "/display")] == [200, 200, 200]
    lag.seconds = 0.3
    assert [served(shedder, p) for p in ("/book", "/api/v1/tickets", "/display")] == [503, 200, 200]
    refused = Client(shedder).get("/api/v1/branches/b1/slots")
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "2"
    lag.seconds = 1.0
    assert [served(shedder, p) for p in ("/book", "/api/v1/tickets", "/display")] == [503, 503, 503]
    assert served(shedder, "/socket.io/") == 200   # open websockets are never refused
    assert shedder.shed == 5


def test_one_late_timer_is_a_hiccup_an_overload_makes_them_all_late():
    lag = LoopLag()
    lag.observe(0.6)
    assert lag.seconds == 0.0
    lag.observe(0.0)
    assert lag.seconds == 0.0
    lag.observe(0.3)
    lag.observe(0.3)
    assert lag.seconds == 0.3
    lag.observe(0.0)
    assert round(lag.seconds, 3) == 0.24   # 0.3 × 0.8: the delay fades, it does not vanish at once
    for _ in range(20):
        lag.observe(0.0)
    assert lag.seconds < 0.01


GEVENT_OVERLOAD = """
from gevent import monkey; monkey.patch_all()
import time, gevent
from okenko.shedding import LoopLag
lag = LoopLag(); lag.ensure_running()
gevent.sleep(0.3)
quiet = lag.seconds
def connection_with_requests_waiting(until):
    # A view on SQLite: 10 ms of work without yielding; then gunicorn's post_request hook yields
    # (sleep(0)) and the next request of this keep-alive connection is already there.
    while time.monotonic() < until:
        busy = time.monotonic() + 0.01
        while time.monotonic() < busy:
            pass
        gevent.sleep(0)
until = time.monotonic() + 2
gevent.joinall([gevent.spawn(connection_with_requests_waiting, until) for _ in range(64)])
print(quiet, lag.seconds)
"""


def test_the_lag_of_a_gevent_process_whose_requests_do_not_yield():
    import subprocess
    import sys
    from pathlib import Path
    out = subprocess.run([sys.executable, "-c", GEVENT_OVERLOAD], capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).resolve().parents[2], check=True).stdout.split()
    quiet, loaded = map(float, out)
    assert quiet < 0.05
    assert loaded >= 0.25   # 64 requests of 10 ms queued ahead: public booking is refused


def test_kiosk_taps_waiting_for_their_batch_are_queued_not_in_flight(demo_app):
    """Taps that wait for a batch of tickets (models/group_commit.py) must not fill the process's
    in-flight limit: with a limit of 2, three waiting taps leave room for a display's request."""
    from concurrent.futures import ThreadPoolExecutor

    from okenko.runtime import runtime

    from ..conftest import DEMO_SECRET
    app = demo_app(max_in_flight=2)
    queue = runtime(app).queue
    published, release = threading.Event(), threading.Event()

    def hold_first_batch(_event):
        if not published.is_set():
            published.set()
            release.wait(DEADLINE_S)
    queue.bus.subscribe(hold_first_batch)
    kiosk = {"Authorization": f"Bearer {DEMO_SECRET}"}
    tap = {"branch": "praha-iv", "service": "assistance", "language": "cs"}

    def issue():
        return Client(app).post("/api/v1/tickets", json=tap, headers=kiosk).status_code

    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(issue)
        assert published.wait(DEADLINE_S)                      # in flight: the leader's tap
        waiting = []
        for queued in (1, 2, 3):     # one at a time: two arriving at once would both be in flight
            waiting.append(pool.submit(issue))
            while queue.issuing.waiting < queued:
                assert not first.done() and not waiting[-1].done()
                threading.Event().wait(0.01)
        assert Client(app).get("/api/v1/branches/praha-iv/snapshot").status_code == 200
        release.set()
        assert [first.result(DEADLINE_S)] + [w.result(DEADLINE_S) for w in waiting] == [201, 201, 201, 201]
