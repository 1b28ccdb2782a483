"""/board: the live operations board for the coordinator on duty.

The page gets the board of every branch over the `/board` Socket.IO namespace: at once on connect,
then after every committed event (folded for BOARD_FOLD_S so a busy kiosk does not flood it), and
every BOARD_REFRESH_S anyway, since waits grow and printers are probed without events."""
from __future__ import annotations

import logging
import threading
import time

from flask import Blueprint, Flask, abort, jsonify, render_template
from flask_babel import get_locale
from flask_login import current_user, login_required
from flask_socketio import Namespace, emit, join_room
from sqlalchemy import select

from models import Branch, Role
from models.board import board
from okenko.api.openapi import document
from okenko.auth import require_staff
from okenko.runtime import runtime

log = logging.getLogger(__name__)

BOARD = "/board"
ROOM = "board"
BOARD_FOLD_S = 0.3
BOARD_REFRESH_S = 15
BOARD_ROLES = (Role.ADMIN, Role.COORDINATOR)

bp = Blueprint("board", __name__, template_folder="templates", static_folder="static",
               static_url_path="/board/static")
api = Blueprint("board_api", __name__, url_prefix="/api/v1")


def board_message() -> dict:
    run = runtime()
    with run.reader() as session:
        branch_ids = list(session.execute(select(Branch.id)).scalars())
        now = run.queue.clock()
        return {"at": now.isoformat(), "branches": board(session, branch_ids, now)}


@bp.get("/board")
@login_required
def page():
    if current_user.identity.role not in {str(r) for r in BOARD_ROLES}:
        abort(403)
    return render_template("stats/board.html", board=board_message(), lang=str(get_locale() or "cs"))


@api.get("/board")
@document("The operations board of every branch, now", tag="statistics", auth="staff",
          responses={200: ("Per branch: queues, counters, interpreter requests, devices, appointments", None)})
@require_staff(BOARD_ROLES)
def board_json():
    return jsonify(board_message())


class BoardNamespace(Namespace):
    def __init__(self) -> None:
        super().__init__(BOARD)

    def on_connect(self, auth=None):
        if not (current_user and current_user.is_authenticated
                and current_user.identity.role in {str(r) for r in BOARD_ROLES}):
            raise ConnectionRefusedError("unauthorized: sign in as a coordinator")
        join_room(ROOM)
        emit("board", board_message())


def install(app: Flask, socketio) -> None:
    """Keep the boards live: called by the app factory once the socket layer exists."""
    app.extensions["okenko.board"] = BoardRelay(app, socketio)


class BoardRelay:
    """Pushes the board to `/board` after events (folded) and every BOARD_REFRESH_S."""

    def __init__(self, app: Flask, socketio):
        self._app, self._socketio = app, socketio
        self._dirty = threading.Event()
        self._started = False
        self._lock = threading.Lock()
        runtime(app).queue.bus.subscribe(self.receive)

    def receive(self, _event) -> None:
        self._dirty.set()
        with self._lock:
            if not self._started:
                self._started = True
                self._socketio.start_background_task(self._run)

    def _run(self) -> None:
        last = 0.0
        while True:
            self._socketio.sleep(BOARD_FOLD_S)
            if not self._watched():
                continue
            if self._dirty.is_set() or time.monotonic() - last >= BOARD_REFRESH_S:
                self._dirty.clear()
                last = time.monotonic()
                try:
                    with self._app.app_context():
                        self._socketio.emit("board", board_message(), to=ROOM, namespace=BOARD)
                except Exception:  # a database or Redis hiccup: the next round tries again
                    log.exception("board update failed")

    def _watched(self) -> bool:
        """Someone may be looking: a board open on this process, or on another one (with a message
        queue, boards elsewhere hear of this process's events only from here). Nobody: no work, so a
        busy kiosk morning does not rebuild the board three times a second for no one."""
        if runtime(self._app).settings.message_queue:
            return True
        return next(iter(self._socketio.server.manager.get_participants(BOARD, ROOM)), None) is not None
