"""The kiosk page (a registered kiosk device, one branch) and the visitor's phone status page."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, abort, render_template, url_for
from flask_babel import force_locale, get_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Branch, DeviceKind, NotFound
from models.codes import ALPHABET
from okenko.api.serialize import status_url, ticket_status_json
from okenko.devices import register, registered, registering
from okenko.i18n import LANGUAGES, direction
from okenko.runtime import queue, runtime

from .messages import messages_for
from .texts import ticket_texts

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
    return render_template("kiosk/kiosk.html", config=_page_config(device.branch_code))


def _unregistered(failed: bool = False):
    return render_template("kiosk/unregistered.html", lang=str(get_locale()), failed=failed, path="/kiosk"), 403


def _page_config(branch_code: str) -> dict:
    with runtime().reader() as session:
        branch = session.execute(
            select(Branch).where(Branch.code == branch_code).options(selectinload(Branch.services))
        ).scalar_one()
        languages = [code for code in branch.languages if code in LANGUAGES] or list(LANGUAGES)
        services = [{"code": s.code, "prefix": s.prefix, "names": s.names, "descriptions": s.descriptions}
                    for s in branch.services if s.active]
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
        "codeAlphabet": ALPHABET,
        "appointments": takes_appointments,
        # Known before the first paint, so a closed service is never tappable while the page loads.
        "availability": {service["code"]: service for service in queue().snapshot(branch_code)["services"]},
    }


@bp.get("/t/<token>")
def ticket_page(token: str):
    try:
        view = queue().ticket_by_token(token[:64])
    except NotFound:
        abort(404)
    with force_locale(view.language):
        return render_template("kiosk/status.html", ticket=ticket_status_json(view), texts=ticket_texts(view),
                               lang=view.language, dir=direction(view.language),
                               api_url=url_for("kiosk_api.ticket_status", token=token), token=token,
                               poll_seconds=STATUS_POLL_SECONDS)


@bp.get("/t/<token>/qr.svg")
def ticket_qr(token: str):
    try:
        queue().ticket_by_token(token[:64])
    except NotFound:
        abort(404)
    image = qrcode.make(status_url(token), image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return Response(buffer.getvalue(), mimetype="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=86400"})
