"""Every response carries the security headers: pages, the JSON API, static files, errors."""
from __future__ import annotations

import pytest

from .helpers import issue

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; "
       "media-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


@pytest.mark.parametrize("path", [
    "/staff/login",                      # a staff page
    "/kiosk",                            # a screen that is not registered (403 page)
    "/api/v1/branches",                  # the JSON API
    "/healthz",
    "/static/realtime.js",               # the app's static files
    "/kiosk/static/kiosk/kiosk.js",      # a feature's static files
    "/api/v1/no-such-thing",             # errors too
])
def test_security_headers_on_every_kind_of_response(client, path):
    response = client.get(path)
    assert {name: response.headers.get(name) for name in HEADERS} == HEADERS


def test_phone_status_page_keeps_its_token_to_itself(client):
    ticket = issue(client).json
    response = client.get(ticket["status_url"].replace("https://okenko.example", ""))
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
