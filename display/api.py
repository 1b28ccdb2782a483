"""What a waiting-room display shows, as one snapshot, and what it says, as audio files."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, send_file

from models import Branch
from models.fields import ECHOED, fit
from okenko.announcements import FALLBACK_VOICES, TICKET_NUMBER, announcement_text, fallback_text, with_audio
from okenko.api.errors import ApiError
from okenko.api.openapi import document
from okenko.api.schemas import Snapshot
from okenko.i18n import LANGUAGES
from okenko.limits import TooManyAttempts, client_address, new_announcements, refused
from okenko.runtime import queue
from okenko.speech import SpeechError, speech

bp = Blueprint("display_api", __name__, url_prefix="/api/v1")
MAX_COUNTER_NUMBER = 9999


@bp.get("/branches/<code>/snapshot")
@document("Current and recent calls, active calls (one per counter), waiting counts and estimated waits "
          "of a branch", tag="displays", responses={200: ("The snapshot", Snapshot)})
def snapshot(code: str):
    return jsonify(display_snapshot(fit(code, Branch.code)))


def display_snapshot(code: str) -> dict:
    snap = queue().snapshot(code)
    return snap | {"active_calls": with_audio(snap["active_calls"])}


@bp.get("/announcements/<language>.wav")
@document("The spoken announcement of a call (?number=R-009&counter=2) in a language, as audio/wav "
          "synthesized on this server (Mongolian: the numbers in the Russian voice)", tag="displays",
          responses={200: ("audio/wav", None)})
def announcement(language: str):
    number, counter = request.args.get("number", ""), request.args.get("counter", "")
    if language not in LANGUAGES:
        raise ApiError(404, "not_found", f"no announcements in '{fit(language, ECHOED)}'", field="language")
    if not TICKET_NUMBER.match(number):
        raise ApiError(422, "invalid_request", "number must be a ticket number such as R-009", field="number")
    if not counter.isdigit() or not 0 < int(counter) <= MAX_COUNTER_NUMBER:
        raise ApiError(422, "invalid_request", "counter must be a counter number", field="counter")
    voice_language, text = language, announcement_text(number, int(counter), language)
    if speech().voice_for(language) is None and language in FALLBACK_VOICES:
        voice_language, text = FALLBACK_VOICES[language], fallback_text(number, int(counter))
    try:
        path = speech().speak(text, voice_language, on_miss=_charge_new_announcement)
    except SpeechError as exc:
        raise ApiError(503, "speech_unavailable", str(exc)) from None
    return send_file(path, mimetype="audio/wav", max_age=86400)


def _charge_new_announcement() -> None:
    try:
        new_announcements.charge(client_address())
    except TooManyAttempts as exc:
        raise refused(exc, "too many new announcements from this address") from None
