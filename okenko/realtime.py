"""Committed events → Socket.IO rooms: displays (per branch), consoles (per counter), phones (per ticket).

The engine's bus calls `Relay.receive` right after a commit, in the request's thread; the relay only
queues the event there. One background task delivers, in order, so a request never waits for
sockets and a slow or broken realtime layer (Redis down) never stops issuing or calling.

Every message to a display carries `seq` (the branch's event sequence number it brings the display
up to) and `seq_from` (the first event it covers). A display that sees `seq_from` beyond its last
`seq` + 1 has missed something and asks for a fresh snapshot.

Calls go out at once. Queue changes (waiting counts, estimated waits) are folded for up to
QUEUE_INTERVAL_S per branch: every one of them is a message to every display, and under a busy
kiosk they would crowd out the calls. A call covers the queue events folded before it; the counts
follow in a `queue` message that may cover no new event (`seq_from` = `seq` + 1): a refresh.
"""
from __future__ import annotations

import logging
import queue as queues
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from models import NotFound, PublishedEvent
from models.snapshot import branch_queues

from .announcements import audio_urls, with_audio
from .extensions import socketio_of
from .runtime import runtime

log = logging.getLogger(__name__)

DISPLAY, TICKET, COUNTER = "/display", "/ticket", "/counter"
CALL_EVENTS = frozenset({"ticket.called", "ticket.recalled"})
# A phone cannot listen to a ticket before it exists: no status push for these.
NO_PHONE_PUSH = frozenset({"ticket.issued", "ticket.printed", "ticket.print_failed"})
BATCH = 500
INBOX_LIMIT = 20_000
QUEUE_INTERVAL_S = 0.5


@dataclass
class _Folded:
    """Queue changes of a branch not yet sent: events first..last (first None: only a refresh)."""

    first: int | None
    last: int
    due: float


def branch_room(code: str) -> str:
    return f"branch:{code}"


def ticket_room(token: str) -> str:
    return f"ticket:{token}"


def counter_room(counter_id: int) -> str:
    return f"counter:{counter_id}"


def public_ticket(ticket: dict) -> dict:
    """A ticket as displays see it: never the token that opens its phone page."""
    return {key: value for key, value in ticket.items() if key not in ("token", "id")}


class Relay:
    def __init__(self, app: Flask, socketio, ticket_status: Callable[[str], dict]):
        """`ticket_status(token)`: what a phone hears about its ticket (worded by the kiosk part)."""
        self._app = app
        self._socketio = socketio
        self._ticket_status = ticket_status
        self._inbox: queues.Queue[PublishedEvent] = queues.Queue(maxsize=INBOX_LIMIT)
        self._started = False
        self._lock = threading.Lock()
        runtime(app).queue.bus.subscribe(self.receive)

    def receive(self, event: PublishedEvent) -> None:
        self._start()
        try:
            self._inbox.put_nowait(event)
        except queues.Full:
            # Displays will see a gap in the sequence and resynchronise from a snapshot.
            log.warning("realtime inbox full; dropped %s #%s", event.type, event.seq)

    def _start(self) -> None:
        with self._lock:
            if not self._started:
                self._socketio.start_background_task(self._run)
                self._started = True

    def _run(self) -> None:
        folded: dict[str, _Folded] = {}
        while True:
            batch = self._next_batch(folded)
            try:
                with self._app.app_context():
                    self.deliver(batch, folded)
                    self._flush_due(folded, time.monotonic())
            except Exception:
                log.exception("realtime delivery failed for %d events", len(batch))

    def _next_batch(self, folded: dict[str, _Folded]) -> list[PublishedEvent]:
        wait = min((f.due for f in folded.values()), default=None)
        timeout = None if wait is None else max(wait - time.monotonic(), 0)
        try:
            batch = [self._inbox.get(timeout=timeout)]
        except queues.Empty:
            return []
        while len(batch) < BATCH:
            try:
                batch.append(self._inbox.get_nowait())
            except queues.Empty:
                break
        return batch

    def deliver(self, batch: list[PublishedEvent], folded: dict[str, _Folded]) -> None:
        """Emit calls now, fold queue changes; phones and consoles hear of their own events at once."""
        for event in batch:
            pending = folded.get(event.branch)
            if event.type in CALL_EVENTS:
                first = pending.first if pending and pending.first is not None else event.seq
                self._emit_call(event, first)
                # The called ticket left its queue: the counts follow as a refresh.
                folded[event.branch] = _Folded(None, event.seq, pending.due if pending else _due())
            elif pending is None:
                folded[event.branch] = _Folded(event.seq, event.seq, _due())
            else:
                pending.first = event.seq if pending.first is None else pending.first
                pending.last = event.seq
            if event.ticket and event.type not in NO_PHONE_PUSH:
                self._emit_status(event)
            if event.counter:
                self._emit(COUNTER, "ticket" if event.ticket else "counter", _console_message(event),
                           counter_room(event.counter["id"]))
            if event.type.startswith("kiosk.help_"):
                # "Call staff": every reception page and console of the branch, until acknowledged.
                self._emit(COUNTER, "help", _console_message(event), branch_room(event.branch))
            if event.type.startswith("interpreter."):
                # Interpreters sit at other counters: the whole branch's consoles hear of requests.
                self._emit(COUNTER, "interpreter", _console_message(event), branch_room(event.branch))

    def _flush_due(self, folded: dict[str, _Folded], now: float) -> None:
        for branch, pending in list(folded.items()):
            if pending.due > now:
                continue
            del folded[branch]
            if not (self._may_be_heard(DISPLAY, branch_room(branch)) or self._may_be_heard(COUNTER, branch_room(branch))):
                continue    # no screen of the branch here: one that connects starts from a snapshot
            with runtime().reader() as session:
                _seq, services, calls = branch_queues(session, branch, runtime().queue.clock())
            first = pending.last + 1 if pending.first is None else pending.first
            message = {"seq_from": first, "seq": pending.last, "services": services,
                       "active_calls": with_audio(calls)}
            self._emit(DISPLAY, "queue", message, branch_room(branch))
            self._emit(COUNTER, "queue", message, branch_room(branch))

    def _emit_call(self, event: PublishedEvent, seq_from: int) -> None:
        message = {"seq_from": seq_from, "seq": event.seq, "at": event.at.isoformat(),
                   "recall": event.type == "ticket.recalled", "ticket": public_ticket(event.ticket),
                   "counter": event.counter,
                   "audio": audio_urls(event.ticket["number"], event.counter, event.ticket["language"])}
        self._emit(DISPLAY, "call", message, branch_room(event.branch))
        self._emit(COUNTER, "call", message, branch_room(event.branch))

    def _emit_status(self, event: PublishedEvent) -> None:
        if not self._may_be_heard(TICKET, ticket_room(event.ticket["token"])):
            return  # most tickets have no phone following them, and their status costs a position count
        try:
            message = self._ticket_status(event.ticket["token"])
        except NotFound:
            return
        self._emit(TICKET, "status", message | {"seq": event.seq}, ticket_room(event.ticket["token"]))

    def _may_be_heard(self, namespace: str, room: str) -> bool:
        """Someone is in the room on this process, or may be on another one (with a message queue,
        only this process knows of its events). A phone that joins later gets its status on joining."""
        if runtime(self._app).settings.message_queue:
            return True
        return next(iter(self._socketio.server.manager.get_participants(namespace, room)), None) is not None

    def _emit(self, namespace: str, name: str, message: dict, room: str) -> None:
        try:
            self._socketio.emit(name, message, to=room, namespace=namespace)
        except Exception:  # e.g. Redis unreachable: the state change is committed all the same
            log.exception("could not emit %s to %s%s", name, namespace, room)


def _due() -> float:
    return time.monotonic() + QUEUE_INTERVAL_S


def _console_message(event: PublishedEvent) -> dict:
    return {"seq": event.seq, "type": event.type, "at": event.at.isoformat(), "ticket": event.ticket,
            "counter": event.counter, "data": event.data}


def publish_slides(branch_code: str) -> None:
    """Tell a branch's displays that their slides changed (called by whoever edits slides)."""
    snapshot = runtime().queue.snapshot(branch_code)
    message = {"seq_from": snapshot["seq"], "seq": snapshot["seq"], "slides": snapshot["slides"],
               "slides_change_at": snapshot["slides_change_at"], "generated_at": snapshot["generated_at"]}
    socketio_of(current_app).emit("slide", message, to=branch_room(branch_code), namespace=DISPLAY)
