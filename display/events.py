"""/display: a registered display joins its branch's room, gets a snapshot, then call/queue/slide."""
from __future__ import annotations

from flask import request
from flask_socketio import Namespace, emit, join_room

from models import Branch, DeviceKind, NotFound
from models.fields import TOKEN, fit
from okenko.auth import DEVICE_COOKIE, device_caller
from okenko.devices import device_room, mark_seen
from okenko.realtime import DISPLAY, branch_room

from .api import display_snapshot


class DisplayNamespace(Namespace):
    def __init__(self) -> None:
        super().__init__(DISPLAY)
        self._branches: dict[str, str] = {}
        self._devices: dict[str, int] = {}

    def on_connect(self, auth=None):
        auth = auth if isinstance(auth, dict) else {}
        branch = fit(str(auth.get("branch", "")), Branch.code)
        # A display page authenticates with its cookie; other screens send the token.
        token = fit(str(auth.get("token") or request.cookies.get(DEVICE_COOKIE, "")), TOKEN)
        caller = device_caller(token) if token else None
        device = caller.device_for(branch, DeviceKind.DISPLAY) if caller else None
        if device is None:
            raise ConnectionRefusedError("unauthorized: send the branch and a display token of that branch")
        self._branches[request.sid] = branch
        self._devices[request.sid] = device.id
        join_room(branch_room(branch))
        join_room(device_room(device.id))   # revoking the device closes this socket
        mark_seen(device.id)
        self.on_snapshot()

    def on_snapshot(self, _data=None):
        """Asked for by a display that noticed a gap; also sent on every (re)connect."""
        branch = self._branches.get(request.sid)
        try:
            emit("snapshot", display_snapshot(branch))
        except NotFound:
            emit("error", {"message": f"unknown branch '{branch}'"})

    def on_heartbeat(self, _data=None):
        """Sent every minute by a connected display: the operations board shows it online."""
        device_id = self._devices.get(request.sid)
        if device_id is not None:
            mark_seen(device_id)

    def on_disconnect(self, reason=None):
        self._branches.pop(request.sid, None)
        self._devices.pop(request.sid, None)
