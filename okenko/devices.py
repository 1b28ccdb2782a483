"""Public screens (kiosks, displays) are registered devices: opened once with their token, which
the browser then keeps in an HttpOnly cookie, so the screen needs no staff login."""
from __future__ import annotations

import time

from flask import make_response, redirect, request, url_for
from sqlalchemy import update

from models import Branch, Device, DeviceKind
from models.fields import TOKEN, fit

from .auth import DEVICE_COOKIE, DeviceIdentity, device_caller
from .extensions import socketio_of
from .realtime import DISPLAY
from .runtime import runtime

BRANCH_COOKIE = "okenko_branch"
COOKIE_MAX_AGE = 5 * 365 * 24 * 3600


def registering() -> bool:
    return bool(request.args.get("token"))


def register(kind: DeviceKind, endpoint: str):
    """Check ?token=…&branch=…, keep them in cookies, and reload without the token in the address.
    Returns None when the token is not one of a `kind` device."""
    token, branch = fit(request.args["token"], TOKEN), fit(request.args.get("branch", ""), Branch.code)
    caller = device_caller(token)
    devices = [d for d in (caller.devices if caller else ()) if d.kind == kind]
    device = next((d for d in devices if d.branch_code == branch), devices[0] if len(devices) == 1 else None)
    if device is None:
        return None
    response = make_response(redirect(url_for(endpoint)))
    for name, value, private in ((DEVICE_COOKIE, token, True), (BRANCH_COOKIE, device.branch_code, False)):
        response.set_cookie(name, value, max_age=COOKIE_MAX_AGE, httponly=private, samesite="Strict",
                            secure=request.is_secure)
    return response


def registered(kind: DeviceKind) -> DeviceIdentity | None:
    token = fit(request.cookies.get(DEVICE_COOKIE, ""), TOKEN)
    caller = device_caller(token) if token else None
    if caller is None:
        return None
    # The branch cookie picks among devices sharing a token (the demo secret); a paired or moved
    # device has a token of its own.
    mine = [d for d in caller.devices if d.kind == kind]
    return caller.device_for(request.cookies.get(BRANCH_COOKIE, ""), kind) or (mine[0] if len(mine) == 1 else None)


# ---- liveness and revocation ------------------------------------------------------------------------

SEEN_EVERY_S = 45              # below the pages' 60 s heartbeat, so no beat falls between writes


def mark_seen(device_id: int) -> None:
    """Record that a device is alive, at most once a minute per process (a display reconnecting
    in a loop must not become a stream of writes)."""
    run, now = runtime(), time.monotonic()
    if now - run.seen_written.get(device_id, float("-inf")) < SEEN_EVERY_S:
        return
    run.seen_written[device_id] = now
    with run.writer() as session, session.begin():    # the board compares with the same clock
        session.execute(update(Device).where(Device.id == device_id).values(last_seen_at=run.queue.clock()))


def device_room(device_id: int) -> str:
    return f"device:{device_id}"


def disconnect_device(app, device_id: int) -> None:
    """A revoked display stops at once: its open sockets in this process are closed (it cannot
    reconnect: its token no longer authenticates)."""
    server = socketio_of(app).server
    for sid, _eio_sid in list(server.manager.get_participants(DISPLAY, device_room(device_id))):
        server.disconnect(sid, namespace=DISPLAY)
