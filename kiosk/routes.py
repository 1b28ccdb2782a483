"""The kiosk page (a registered kiosk device, one branch) and the visitor's phone status page."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, abort, jsonify, render_template, request, send_from_directory, url_for
from flask_babel import force_locale, get_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Branch, Device, DeviceKind, NotFound, Ticket
from models.codes import ALPHABET
from models.fields import fit
from okenko.api.serialize import status_url, ticket_status_json
from okenko.devices import register, registered, registering
from okenko.i18n import LANGUAGES, direction
from okenko.runtime import queue, runtime

from .messages import messages_for
from .texts import phone_texts

bp = Blueprint("kiosk", __name__, template_folder="templates", static_folder="static",
               static_url_path="/kiosk/static")

# Live updates come over the socket; polling only keeps the position fresh if the socket is down.
STATUS_POLL_SECONDS = 30


@bp.get("/kiosk")
def kiosk():
    if registering():
        return register(DeviceKind.KIOSK, "kiosk.kiosk") or _unregistered(failed=True)
    device = registered(DeviceKind.KIOSK)
    if device is None:
        return _unregistered()
    return render_template("kiosk/kiosk.html", config=_page_config(device.branch_code, device.id))


def _unregistered(failed: bool = False):
    return render_template("shared/unregistered.html", lang=str(get_locale()), failed=failed, kind="kiosk"), 403


def _page_config(branch_code: str, device_id: int) -> dict:
    with runtime().reader() as session:
        idle_seconds = session.get(Device, device_id).idle_seconds
        branch = session.execute(
            select(Branch).where(Branch.code == branch_code).options(selectinload(Branch.services))
        ).scalar_one()
        languages = [code for code in branch.languages if code in LANGUAGES] or list(LANGUAGES)
        services = [{"code": s.code, "prefix": s.prefix, "names": s.names, "descriptions": s.descriptions,
                     "bookable": s.bookable} for s in branch.services if s.active]
        names, timezone = dict(branch.names), branch.timezone
        takes_appointments = any(s.bookable for s in branch.services if s.active)
    return {
        "branch": branch_code,
        "branchNames": names,
        "languages": [{"code": code, "native": LANGUAGES[code].native, "dir": direction(code)}
                      for code in languages],
        "services": services,
        "messages": messages_for(languages),
        "snapshotUrl": url_for("display_api.snapshot", code=branch_code),
        "ticketsUrl": url_for("kiosk_api.issue_ticket"),
        "reprintUrl": url_for("kiosk_api.reprint", token="TOKEN"),
        "qrUrl": url_for("kiosk.ticket_qr", token="TOKEN"),
        "timezone": timezone,
        "idleSeconds": idle_seconds,
        "speechUrl": url_for("kiosk_assist.read_aloud"),
        "helpUrl": url_for("kiosk_assist.call_staff"),
        "heartbeatUrl": url_for("kiosk_assist.heartbeat"),
        "practiceUrl": url_for("kiosk_practice.practice_ticket"),
        "tokenUrl": url_for("directory.create_token"),
        "codeAlphabet": ALPHABET,
        "appointments": takes_appointments,
        # Known before the first paint, so a closed service is never tappable while the page loads.
        "availability": {service["code"]: service for service in queue().snapshot(branch_code)["services"]},
    }


@bp.get("/t/<token>")
def ticket_page(token: str):
    """The phone page, in the ticket's language unless the visitor switches (?lang=)."""
    view = _ticket(token)
    lang = _page_language(view.language)
    with force_locale(lang):
        return render_template("kiosk/status.html", ticket=ticket_status_json(view), texts=phone_texts(view, lang),
                               lang=lang, dir=direction(lang), languages=LANGUAGES, token=token,
                               api_url=url_for("kiosk_api.ticket_status", token=token, lang=lang),
                               leave_url=url_for("kiosk_api.leave_queue", token=token, lang=lang),
                               worker_url=url_for("kiosk.service_worker"), poll_seconds=STATUS_POLL_SECONDS)


@bp.get("/t/<token>/manifest.webmanifest")
def ticket_manifest(token: str):
    """Lets the visitor add their ticket's page to the home screen (where iPhones allow notifications)."""
    view = _ticket(token)
    lang = _page_language(view.language)
    icon = url_for("kiosk.static", filename="kiosk/icon.svg")
    body = {"name": f"{view.number} – Okénko", "short_name": view.number, "lang": lang, "dir": direction(lang),
            "start_url": url_for("kiosk.ticket_page", token=token, lang=lang), "scope": "/t/",
            "display": "standalone", "background_color": "#ffffff", "theme_color": "#0b3d91",
            "icons": [{"src": icon, "sizes": "any", "type": "image/svg+xml", "purpose": "any"}]}
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/t/sw.js")
def service_worker():
    """Served under /t/ so that it may show notifications for every phone page (its scope)."""
    response = send_from_directory(bp.static_folder, "kiosk/sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _ticket(token: str):
    try:
        return queue().ticket_by_token(fit(token, Ticket.token))
    except NotFound:
        abort(404)


def _page_language(ticket_language: str) -> str:
    chosen = request.args.get("lang", "")
    return chosen if chosen in LANGUAGES else ticket_language


@bp.get("/t/<token>/qr.svg")
def ticket_qr(token: str):
    try:
        queue().ticket_by_token(fit(token, Ticket.token))
    except NotFound:
        abort(404)
    image = qrcode.make(status_url(token), image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return Response(buffer.getvalue(), mimetype="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=86400"})
