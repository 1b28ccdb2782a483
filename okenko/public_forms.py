"""Visitors' forms (booking a time, cancelling an appointment) are guarded by where they come from,
not by a CSRF token.

A visitor has no account and no cookie, so a forged form could do nothing its forger cannot do
directly: the public API books without any token, and moving or cancelling needs the appointment's
code. What is left to refuse is another site making visitors' browsers send the form, to spread
bot bookings over many addresses. Browsers say where a form comes from (`Sec-Fetch-Site`, older
ones `Origin`, compared as browsers compare origins), so only this site's own pages may send one.
A client that says neither is not a browser acting for someone else, and is answered like an API
call. This check comes before anything else, an Authorization header included: a browser may add
one by itself (a proxy's Basic login) to another site's form.

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
        return _origin(origin) in _own_origins()    # "null" (a sandboxed or stripped page) is nobody's
    return True


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(address: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) as browsers compare origins: "https://Host:443" is "https://host"."""
    try:
        parts = urlsplit(address.strip())
        scheme, host, port = parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
        host = host if host.isascii() else host.encode("idna").decode()   # browsers send punycode
    except (ValueError, UnicodeError):               # a port that is not a number, a broken name
        return None
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    return scheme, host, port or _DEFAULT_PORTS[scheme]


def _own_origins() -> set:
    """This request's site as the proxy in front saw it (OKENKO_PROXIES), and the configured public
    address (OKENKO_PUBLIC_URL): behind a proxy that is not trusted, the latter is what browsers send."""
    return {_origin(f"{request.scheme}://{request.host}"), _origin(runtime().settings.public_url)} - {None}
