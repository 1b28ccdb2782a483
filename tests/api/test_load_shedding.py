"""Past a process's capacity requests are refused at once with 503 and Retry-After; public booking
traffic is refused first, so kiosks, displays and consoles keep their share."""
from __future__ import annotations

import json
import threading

import pytest
from werkzeug.test import Client

from okenko.shedding import LoadShedder, is_public_booking

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
