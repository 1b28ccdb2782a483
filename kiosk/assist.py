"""What a kiosk offers beyond issuing, for visitors who need it (EN 301 549 §5): its screens read
aloud by the server's voices, and a "Call staff" alert for the branch's reception and consoles."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, send_file

from models import DeviceKind
from okenko.api.errors import ApiError
from okenko.api.openapi import document
from okenko.api.schemas import HelpRequestIn, parse_body
from okenko.auth import DeviceIdentity, current_caller
from okenko.devices import mark_seen
from okenko.i18n import LANGUAGES
from okenko.runtime import help_desk
from okenko.speech import MAX_TEXT, SpeechError, speech

bp = Blueprint("kiosk_assist", __name__, url_prefix="/api/v1/kiosk")

# No voice speaks Mongolian: the Russian one reads its Cyrillic, understandably if not well.
READ_WITH = {"mn": "ru"}


@bp.get("/speech.wav")
@document("A kiosk's screen text read aloud (?language=vi&text=…, at most 400 characters), as audio/wav "
          "synthesized on this server", tag="kiosk", auth="device", responses={200: ("audio/wav", None)})
def read_aloud():
    _any_kiosk()
    language, text = request.args.get("language", ""), request.args.get("text", "").strip()
    if language not in LANGUAGES:
        raise ApiError(422, "invalid_request", "language must be one of the kiosk's languages", field="language")
    if not text or len(text) > MAX_TEXT:
        raise ApiError(422, "invalid_request", f"text must have 1 to {MAX_TEXT} characters", field="text")
    voice = language if speech().voice_for(language) else READ_WITH.get(language, language)
    try:
        path = speech().speak(text, voice)
    except SpeechError as exc:
        raise ApiError(503, "speech_unavailable", str(exc)) from None
    return send_file(path, mimetype="audio/wav", max_age=86400)


@bp.post("/help")
@document("Call staff: an alert for the branch's reception and consoles, until acknowledged (pressing "
          "again while it waits returns the same alert)", tag="kiosk", auth="device", body=HelpRequestIn,
          responses={201: ("The alert", None)})
def call_staff():
    body = parse_body(HelpRequestIn)
    device = _kiosk_of(body.branch)
    return jsonify(help_desk().request(body.branch, device.id)), 201


@bp.post("/heartbeat")
@document("A kiosk page says it is alive (every minute), for the operations board", tag="kiosk",
          auth="device", body=HelpRequestIn, responses={204: ("Noted", None)})
def heartbeat():
    mark_seen(_kiosk_of(parse_body(HelpRequestIn).branch).id)
    return "", 204


def _any_kiosk() -> DeviceIdentity:
    kiosks = [d for d in current_caller().devices if d.kind == DeviceKind.KIOSK]
    if not kiosks:
        raise ApiError(401, "unauthorized", "only a registered kiosk may do this")
    return kiosks[0]


def _kiosk_of(branch: str) -> DeviceIdentity:
    _any_kiosk()
    device = current_caller().device_for(branch, DeviceKind.KIOSK)
    if device is None:
        raise ApiError(403, "forbidden", f"this device is not a kiosk of branch '{branch}'")
    return device
