"""/display: a registered display joins its branch's room, gets a snapshot, then call/queue/slide."""
from __future__ import annotations

from flask import request
from flask_socketio import Namespace, emit, join_room

from models import DeviceKind, NotFound
from okenko.auth import DEVICE_COOKIE, device_caller
from okenko.realtime import DISPLAY, branch_room
from okenko.runtime import queue


class DisplayNamespace(Namespace):
    def __init__(self) -> None:
        super().__init__(DISPLAY)
        self._branches: dict[str, str] = {}

    def on_connect(self, auth=None):
        auth = auth if isinstance(auth, dict) else {}
        branch = str(auth.get("branch", ""))[:40]
        # A display page authenticates with its cookie; other screens send the token.
        token = str(auth.get("token") or request.cookies.get(DEVICE_COOKIE, ""))[:512]
        caller = device_caller(token) if token else None
        if caller is None or caller.device_for(branch, DeviceKind.DISPLAY) is None:
            raise ConnectionRefusedError("unauthorized: send the branch and a display token of that branch")
        self._branches[request.sid] = branch
        join_room(branch_room(branch))
        self.on_snapshot()

    def on_snapshot(self, _data=None):
        """Asked for by a display that noticed a gap; also sent on every (re)connect."""
        branch = self._branches.get(request.sid)
        try:
            emit("snapshot", queue().snapshot(branch))
        except NotFound:
            emit("error", {"message": f"unknown branch '{branch}'"})

    def on_disconnect(self, reason=None):
        self._branches.pop(request.sid, None)
