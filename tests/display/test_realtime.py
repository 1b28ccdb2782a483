"""The realtime contract with a real python-socketio client against a live server."""
from __future__ import annotations

import queue
import shutil
import time

import pytest
import socketio

from models import QueueEngine
from models.db import make_engine, make_sessions

from ..api.helpers import counter_id, issue, staff_headers
from ..conftest import DEMO_SECRET
from ..live import ServerProcess, server_env


class Listener:
    """A display (or phone) connected over websocket, recording what it receives in order."""

    def __init__(self, url: str, namespace: str, auth: dict, events=("snapshot", "call", "queue", "slide")):
        self.inbox: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection_delay=0.2, reconnection_delay_max=1)
        for name in events:
            self.client.on(name, lambda data, name=name: self.inbox.put((name, data)), namespace=namespace)
        self.client.connect(url, namespaces=[namespace], auth=auth, transports=["websocket"], wait_timeout=5)

    def next(self, name: str, timeout: float = 5) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                got, data = self.inbox.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                break
            if got == name:
                return data
        raise AssertionError(f"no {name} within {timeout} s")

    def until(self, last, timeout: float = 5) -> list[tuple[str, dict]]:
        """Every message, in order, up to and including the first for which `last(name, data)` holds."""
        deadline = time.monotonic() + timeout
        received = []
        while time.monotonic() < deadline:
            try:
                received.append(self.inbox.get(timeout=max(deadline - time.monotonic(), 0.01)))
            except queue.Empty:
                break
            if last(*received[-1]):
                return received
        raise AssertionError(f"not there within {timeout} s; received {received}")

    def close(self) -> None:
        self.client.disconnect()


def display(url: str, branch: str = "praha-iv", token: str = DEMO_SECRET) -> Listener:
    return Listener(url, "/display", {"branch": branch, "token": token})


def test_display_gets_a_snapshot_then_each_call(live_server):
    server = live_server()
    client = server.app.test_client()
    staff = staff_headers(client, "counsellor")
    desk = counter_id(server.app, "praha-iv", "Přepážka 1")
    client.post(f"/api/v1/counters/{desk}/open", headers=staff)
    screen = display(server.url)
    try:
        snapshot = screen.next("snapshot")
        assert snapshot["branch"]["code"] == "praha-iv" and snapshot["current"] == []
        first = issue(client, language="mn").json
        called = client.post(f"/api/v1/counters/{desk}/call-next", headers=staff).json
        call = screen.next("call")
        assert call["ticket"]["number"] == first["number"] == called["number"]
        assert call["counter"] == {"id": desk, "name": "Přepážka 1", "number": 1, "names": {}}
        assert call["audio"] == {"cs": f"/api/v1/announcements/cs.wav?number={first['number']}&counter=1",
                                 "mn": f"/api/v1/announcements/mn.wav?number={first['number']}&counter=1"}
        assert call["ticket"]["language"] == "mn" and call["recall"] is False
        assert "token" not in call["ticket"]                       # the phone link stays private
        client.post(f"/api/v1/tickets/{first['id']}/recall", headers=staff)
        assert screen.next("call")["recall"] is True
    finally:
        screen.close()


def test_sequence_numbers_have_no_gaps(live_server):
    server = live_server()
    client = server.app.test_client()
    staff = staff_headers(client, "counsellor")
    desk = counter_id(server.app, "praha-iv", "Přepážka 2")
    screen = display(server.url)
    try:
        last = screen.next("snapshot")["seq"]
        client.post(f"/api/v1/counters/{desk}/open", headers=staff)
        for _ in range(5):
            issue(client, service="residence")
        for _ in range(3):
            ticket = client.post(f"/api/v1/counters/{desk}/call-next", headers=staff).json
            client.post(f"/api/v1/tickets/{ticket['id']}/no-show", headers=staff)
        newest = client.get("/api/v1/branches/praha-iv/snapshot").json["seq"]
        messages = screen.until(lambda name, message: name == "queue" and message["seq"] == newest)
        assert {name for name, _ in messages} == {"queue", "call"}
        for _name, message in messages:
            assert message["seq_from"] == last + 1, messages    # contiguous: nothing missed
            assert message["seq"] >= last                        # (a queue refresh may add no event)
            last = message["seq"]
        assert last == newest
        assert {s["code"]: s["waiting"] for s in messages[-1][1]["services"]}["residence"] == 2
    finally:
        screen.close()


def test_a_call_is_followed_by_a_queue_refresh_that_covers_no_new_event(live_server):
    server = live_server()
    client = server.app.test_client()
    staff = staff_headers(client, "counsellor")
    desk = counter_id(server.app, "praha-iv", "Přepážka 2")
    screen = display(server.url)
    try:
        screen.next("snapshot")
        client.post(f"/api/v1/counters/{desk}/open", headers=staff)
        issue(client, service="residence")
        issue(client, service="residence")
        issued = client.get("/api/v1/branches/praha-iv/snapshot").json["seq"]
        screen.until(lambda name, message: name == "queue" and message["seq"] == issued)
        client.post(f"/api/v1/counters/{desk}/call-next", headers=staff)
        (_, call), (name, refresh) = screen.until(lambda name, message: name == "queue")
        assert call["seq"] == issued + 1 and name == "queue"
        assert (refresh["seq_from"], refresh["seq"]) == (issued + 2, issued + 1)   # a refresh: no event
        assert {s["code"]: s["waiting"] for s in refresh["services"]}["residence"] == 1
    finally:
        screen.close()


def test_display_must_be_a_display_of_that_branch(live_server, demo_app):
    server = live_server()
    with pytest.raises(socketio.exceptions.ConnectionError):
        display(server.url, token="wrong")
    with pytest.raises(socketio.exceptions.ConnectionError):
        display(server.url, branch="nowhere")


def test_after_a_server_restart_the_display_reconnects_and_resynchronises(tmp_path, demo_database):
    database = tmp_path / "okenko.db"
    shutil.copyfile(demo_database, database)
    env = server_env(tmp_path, OKENKO_DATABASE_URL=f"sqlite:///{database}")
    server = ServerProcess(env)
    screen = display(server.url)
    try:
        seq = screen.next("snapshot")["seq"]
        server.stop()
        issue_directly(f"sqlite:///{database}")    # the queue moves on while the display is cut off
        server = ServerProcess(env, port=server.port)
        fresh = screen.next("snapshot", timeout=15)
        assert fresh["seq"] == seq + 1
        assert {s["code"]: s["waiting"] for s in fresh["services"]}["assistance"] == 1
    finally:
        screen.close()
        server.stop()


def issue_directly(url: str) -> None:
    engine = make_engine(url)
    writer, reader = make_sessions(engine)
    QueueEngine(writer, reader).issue_ticket("praha-iv", "assistance", "cs")
    engine.dispose()


def test_phone_follows_its_ticket(live_server):
    server = live_server()
    client = server.app.test_client()
    staff = staff_headers(client, "counsellor")
    desk = counter_id(server.app, "praha-iv", "Přepážka 1")
    client.post(f"/api/v1/counters/{desk}/open", headers=staff)
    ticket = issue(client, language="vi").json
    phone = Listener(server.url, "/ticket", {"token": ticket["token"]}, events=("status",))
    try:
        assert phone.next("status")["texts"]["status"] == "Đang chờ"
        client.post(f"/api/v1/counters/{desk}/call-next", headers=staff)
        status = phone.next("status")
        assert status["status"] == "called" and status["texts"]["counter"] == "Quầy của bạn: Přepážka 1"
        assert "token" not in status and "id" not in status
    finally:
        phone.close()
    with pytest.raises(socketio.exceptions.ConnectionError):
        Listener(server.url, "/ticket", {"token": "nope"}, events=("status",))


def test_only_tickets_a_phone_follows_have_their_status_worked_out(live_server):
    """A status costs a position count; in one process the relay knows who listens."""
    server = live_server()
    relay = server.app.extensions["okenko.relay"]
    asked, status_of = [], relay._ticket_status
    relay._ticket_status = lambda token: asked.append(token) or status_of(token)
    client = server.app.test_client()
    staff = staff_headers(client, "counsellor")
    desk = counter_id(server.app, "praha-iv", "Přepážka 1")
    client.post(f"/api/v1/counters/{desk}/open", headers=staff)
    unfollowed, followed = issue(client).json, issue(client).json
    phone = Listener(server.url, "/ticket", {"token": followed["token"]}, events=("status",))
    try:
        assert phone.next("status")["status"] == "waiting"
        client.post(f"/api/v1/counters/{desk}/call-next", headers=staff)   # the unfollowed ticket
        client.post(f"/api/v1/tickets/{unfollowed['id']}/start", headers=staff)
        client.post(f"/api/v1/tickets/{unfollowed['id']}/finish", headers=staff)
        client.post(f"/api/v1/counters/{desk}/call-next", headers=staff)   # the followed one
        assert phone.next("status")["status"] == "called"
    finally:
        phone.close()
    assert asked == [followed["token"]]


def test_redis_down_does_not_stop_issuing_or_calling(demo_app):
    app = demo_app(message_queue="redis://127.0.0.1:1/0")
    client = app.test_client()
    staff = staff_headers(client, "counsellor")
    desk = counter_id(app, "praha-iv", "Přepážka 1")
    client.post(f"/api/v1/counters/{desk}/open", headers=staff)
    assert issue(client).status_code == 201
    assert client.post(f"/api/v1/counters/{desk}/call-next", headers=staff).status_code == 200



def test_changed_slides_reach_the_displays(live_server):
    from models import Slide
    from okenko.realtime import publish_slides
    from okenko.runtime import runtime

    server = live_server()
    screen = display(server.url)
    try:
        before = screen.next("snapshot")
        with runtime(server.app).writer() as session, session.begin():
            session.add(Slide(branch_id=None, language="uk", title="Нове оголошення", body="…", sort_order=-1))
        with server.app.app_context():
            publish_slides("praha-iv")
        slide = screen.next("slide")
        assert slide["seq_from"] == slide["seq"] == before["seq"]      # not an event: no new number
        assert slide["slides"][0]["title"] == "Нове оголошення"
        assert len(slide["slides"]) == len(before["slides"]) + 1
    finally:
        screen.close()


def test_a_branch_nobody_watches_here_is_not_read_for_its_screens(app, monkeypatch):
    """The folded queue refresh reads the branch's queues only when a display or console of the
    branch is connected to this process (one that connects later starts from a snapshot)."""
    import okenko.realtime as realtime
    from okenko.extensions import socketio_of
    reads = []
    monkeypatch.setattr(realtime, "branch_queues", lambda session, branch, now: reads.append(branch) or (0, [], []))
    relay, manager = app.extensions["okenko.relay"], socketio_of(app).server.manager
    with app.app_context():
        relay._flush_due({"praha-iv": realtime._Folded(1, 3, 0.0)}, now=1.0)
        assert reads == []
        manager.connect("eio-display", realtime.DISPLAY)                 # a display of praha-iv joins
        sid = next(iter(manager.get_participants(realtime.DISPLAY, None)))[0]
        manager.enter_room(sid, realtime.DISPLAY, realtime.branch_room("praha-iv"))
        relay._flush_due({"praha-iv": realtime._Folded(1, 3, 0.0), "praha-i": realtime._Folded(1, 2, 0.0)},
                         now=1.0)
        assert reads == ["praha-iv"]
