"""Visitors' forms (booking a time, cancelling an appointment) are guarded by where they come from,
not by a CSRF token.

A visitor has no account and no cookie, so a forged form could do nothing its forger cannot do
directly: the public API books without any token, and moving or cancelling needs the appointment's
code. What is left to refuse is another site making visitors' browsers send the form, to spread
bot bookings over many addresses. Browsers say where a form comes from (`Sec-Fetch-Site`, older
ones `Origin`), so only this site's own pages may send one. A client that says neither is not a
browser acting for someone else, and is answered like an API call.

Without a per-visitor token, a slot page is the same bytes for everyone (kept whole in a booking
surge, see kiosk/booking_cache.py), visitors get no cookie, and a form left open never expires.
"""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app, request
from werkzeug.exceptions import Forbidden

from .runtime import runtime

_MARK = "_okenko_public_form"

# "none": the visitor's own action (a bookmark, the address bar), not another site's page.
_OWN_FETCH_SITES = frozenset({"same-origin", "none"})


class CrossSiteForm(Forbidden):
    description = "This form can only be sent from this site's own pages."


def public_form(view: Callable) -> Callable:
    """Mark a visitor's form view: checked by `check_public_form`, not by the CSRF token."""
    setattr(view, _MARK, True)
    return view


def is_public_form() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, _MARK, False)


def check_public_form() -> None:
    if not sent_from_this_site():
        raise CrossSiteForm()


def sent_from_this_site() -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in _OWN_FETCH_SITES
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.lower() in _own_origins()   # "null" (a sandboxed or privacy-stripped page) is not ours
    return True


def _own_origins() -> set[str]:
    """This request's site (the proxy's view, see OKENKO_PROXIES) and the configured public address."""
    origins = {f"{request.scheme}://{request.host}".lower()}
    public = urlsplit(runtime().settings.public_url)
    if public.scheme and public.netloc:
        origins.add(f"{public.scheme}://{public.netloc}".lower())
    return origins
