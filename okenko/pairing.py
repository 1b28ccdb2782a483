"""The screen's side of pairing: a kiosk or display page without a device asks for a short code
(POST; the future device token arrives at once in the HttpOnly device cookie), shows the code, and
asks now and then whether a coordinator has entered it (GET, a pure read). Once paired, the same
cookie authenticates the screen: no token ever appears in a URL."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from models import pairing, utcnow
from models.fields import TOKEN, fit
from models.org import DeviceKind

from .api.openapi import document
from .api.schemas import PairingOut, PairingStart, parse_body
from .auth import DEVICE_COOKIE, device_caller
from .devices import BRANCH_COOKIE, COOKIE_MAX_AGE
from .limits import limiter
from .runtime import runtime

bp = Blueprint("pairing", __name__, url_prefix="/api/v1")
PAGES = {DeviceKind.KIOSK.value: "kiosk.kiosk", DeviceKind.DISPLAY.value: "display.display"}


@bp.post("/pairing")
@limiter.limit("10 per minute")
@document("A screen without a device asks for a pairing code to show", tag="devices", body=PairingStart,
          responses={201: ("The code to show; the device cookie is set", PairingOut)})
def start():
    body = parse_body(PairingStart)
    with runtime().writer() as session, session.begin():
        code, token = pairing.start(session, body.kind, utcnow())
    response = jsonify({"code": code, "paired": False})
    response.status_code = 201
    _cookie(response, DEVICE_COOKIE, token, private=True)
    return response


@bp.get("/pairing")
@document("Whether the screen's pairing code has been entered", tag="devices",
          responses={200: ("Paired or still waiting", PairingOut)})
def status():
    token = fit(request.cookies.get(DEVICE_COOKIE, ""), TOKEN)
    caller = device_caller(token) if token else None
    if caller is None:
        return jsonify({"paired": False})
    device = caller.devices[0]
    response = jsonify({"paired": True, "url": url_for(PAGES[device.kind])})
    _cookie(response, BRANCH_COOKIE, device.branch_code, private=False)
    return response


def _cookie(response, name: str, value: str, private: bool) -> None:
    response.set_cookie(name, value, max_age=COOKIE_MAX_AGE, httponly=private, samesite="Strict",
                        secure=request.is_secure)
