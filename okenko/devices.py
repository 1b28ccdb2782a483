"""Public screens (kiosks, displays) are registered devices: opened once with their token, which
the browser then keeps in an HttpOnly cookie, so the screen needs no staff login."""
from __future__ import annotations

from flask import make_response, redirect, request, url_for

from models import DeviceKind

from .auth import DEVICE_COOKIE, DeviceIdentity, device_caller

BRANCH_COOKIE = "okenko_branch"
COOKIE_MAX_AGE = 5 * 365 * 24 * 3600


def registering() -> bool:
    return bool(request.args.get("token"))


def register(kind: DeviceKind, endpoint: str):
    """Check ?token=…&branch=…, keep them in cookies, and reload without the token in the address.
    Returns None when the token is not one of a `kind` device."""
    token, branch = request.args["token"][:512], request.args.get("branch", "")[:40]
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
    token = request.cookies.get(DEVICE_COOKIE, "")[:512]
    caller = device_caller(token) if token else None
    return caller.device_for(request.cookies.get(BRANCH_COOKIE, ""), kind) if caller else None
