"""Practice mode: social workers train clients to use the queuing machine on the real kiosk.

A staff member signs in on the kiosk; its screens are then the real ones, but a ticket is made up
here and never saved: no queue, number sequence, event or statistic changes. The printed ticket
says "PRACTICE / NÁCVIK" and carries the number 000, so it can never be taken for a real one.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, jsonify, request
from flask_babel import force_locale

from models import DeviceKind
from models.fields import TOKEN, fit
from okenko.api.errors import ApiError
from okenko.api.openapi import document
from okenko.api.schemas import PracticeTicketIn, parse_body
from okenko.auth import DEVICE_COOKIE, FRONT_DESK_ROLES, device_caller, require_staff
from okenko.runtime import queue, runtime
from printers import render, transport
from printers.address import PrinterConfigError

from .printing import PrintResult, printer_of
from .texts import estimated_wait, footer, people_ahead

bp = Blueprint("kiosk_practice", __name__, url_prefix="/api/v1/kiosk")
PRACTICE_MARK = "PRACTICE / NÁCVIK"


@bp.post("/practice-tickets")
@document("A practice ticket: shown and printed like a real one, marked PRACTICE / NÁCVIK, never saved "
          "(staff token of the trainer; the kiosk's cookie says which printer)", tag="kiosk",
          auth="staff", body=PracticeTicketIn, responses={201: ("The practice ticket", None)})
@require_staff(FRONT_DESK_ROLES)
def practice_ticket():
    body = parse_body(PracticeTicketIn)
    snapshot = queue().snapshot(body.branch)
    service = next((s for s in snapshot["services"] if s["code"] == body.service), None)
    if service is None:
        raise ApiError(404, "not_found", f"no service '{body.service}' at '{body.branch}'", field="service")
    ticket = _made_up(snapshot, service, body.language)
    return jsonify(ticket | {"print": _print(ticket).json()}), 201


def _made_up(snapshot: dict, service: dict, language: str) -> dict:
    waiting, minutes = service["waiting"], service["estimated_wait_minutes"]
    name = service["names"].get(language) or service["names"].get("cs") or service["code"]
    with force_locale(language):
        texts = {"service": name, "people_ahead": people_ahead(waiting),
                 "estimated_wait": estimated_wait(minutes, True), "practice": PRACTICE_MARK}
    return {"number": f"{service['prefix']}-000", "practice": True, "language": language,
            "service": service["code"], "service_names": service["names"], "branch": snapshot["branch"],
            "texts": texts}


def _print(ticket: dict) -> PrintResult:
    device = _this_kiosk(ticket["branch"]["code"])
    try:
        address = printer_of(device.printer if device else "")
    except PrinterConfigError as exc:
        return PrintResult("failed", str(exc))
    if not address.enabled:
        return PrintResult("skipped")
    texts = ticket["texts"]
    branch = ticket["branch"]["names"].get("cs", ticket["branch"]["code"])
    now = datetime.now(ZoneInfo(runtime().settings.timezone))
    paper = render.TicketPrint(
        branch_name=f"{PRACTICE_MARK} – {branch}", number=ticket["number"], service_name=texts["service"],
        service_name_cs=ticket["service_names"].get("cs", texts["service"]),
        details=[PRACTICE_MARK] + [line for line in (texts["people_ahead"], texts["estimated_wait"]) if line],
        issued=now.strftime("%d. %m. %Y %H:%M"), status_url=PRACTICE_MARK, footer=footer(ticket["language"]),
        language=ticket["language"])
    try:
        data = render.to_escpos(paper, profile=address.profile, native_qr=address.native_qr)
        transport.send(address, data, timeout=runtime().settings.print_timeout_s)
    except transport.PrinterError as exc:
        return PrintResult("failed", exc.reason)
    return PrintResult("printed")


def _this_kiosk(branch: str):
    cookie = fit(request.cookies.get(DEVICE_COOKIE, ""), TOKEN)
    caller = device_caller(cookie) if cookie else None
    return caller.device_for(branch, DeviceKind.KIOSK) if caller else None
