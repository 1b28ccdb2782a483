"""Security headers on every response: pages, API, static files.

No script runs unless it is a file served by us (no inline script, no inline handler, no eval), no
page can be framed (the console and the kiosk act on one click), and addresses with a ticket's or an
appointment's token in their path never travel to another site in a Referer.
"""
from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    # Slides may show pictures from the office's own web server; a picture cannot run code.
    "img-src 'self' data: blob: https:",
    "media-src 'self' data: blob:",
    "connect-src 'self'",           # the API and the Socket.IO websocket, same host
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",      # frame-ancestors for browsers that predate it
    # same-origin, not no-referrer: CSRF checks over HTTPS compare the Referer with our host.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def install_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
