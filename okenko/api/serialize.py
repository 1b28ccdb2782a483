"""Engine views → JSON bodies of the API."""
from __future__ import annotations

from dataclasses import asdict, fields
from functools import cache, lru_cache

from flask import request
from werkzeug.sansio.utils import get_current_url

from models.appointments import AppointmentView
from models.codes import display_code
from models.views import TicketView

from ..runtime import runtime

PUBLIC_FIELDS = ("number", "status", "branch", "service", "service_names", "language", "position",
                 "people_ahead", "estimated_wait_minutes", "counter", "issued_at", "called_at")


def status_url(token: str) -> str:
    return f"{_base()}/t/{token}"


def ticket_json(view: TicketView) -> dict:
    """For the kiosk that issued it and for staff."""
    body = _shallow(view)
    body["status_url"] = status_url(view.token)
    return _dates(body)


def ticket_status_json(view: TicketView) -> dict:
    """For anyone holding the token (the phone): no ids, no token, nothing personal."""
    return _dates({key: getattr(view, key) for key in PUBLIC_FIELDS})


def appointment_url(code: str) -> str:
    return f"{_base()}/a/{code}"


def appointment_json(view: AppointmentView, *, staff: bool = False) -> dict:
    """For whoever holds the code (it is the key) and for staff (who also see the contact)."""
    body = asdict(view)
    body.pop("id")
    body["display_code"] = display_code(view.code)
    body["has_contact"] = bool(body["contact"])
    body["contact"] = view.contact if staff else None
    if view.ticket:
        body["ticket"] = {"number": view.ticket["number"], "status_url": status_url(view.ticket["token"])}
    body["url"] = appointment_url(view.code)
    body["ics_url"] = body["url"] + ".ics"
    return _dates(body)


def _shallow(view: TicketView) -> dict:
    """The view's fields as a dict. Not `asdict`, which copies every nested dict (a tenth of a kiosk
    tap's cost): the views are frozen and nothing below changes the nested values."""
    return {name: getattr(view, name) for name in _field_names(type(view))}


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(field.name for field in fields(kind))


def _base() -> str:
    return runtime().settings.public_url.rstrip("/") or _host_url(request.scheme, request.host)


@lru_cache(maxsize=256)
def _host_url(scheme: str, host: str) -> str:
    # request.host_url, less its IRI decoding on every kiosk tap (a few % of one): few hosts reach us.
    return get_current_url(scheme, host).rstrip("/")


def _dates(body: dict) -> dict:
    for key in ("issued_at", "called_at", "appointment_at", "start", "end", "check_in_from", "check_in_until"):
        if body.get(key) is not None:
            body[key] = body[key].isoformat()
    return body
