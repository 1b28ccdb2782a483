"""Security headers on every response: pages, API, static files.

No script runs unless it is a file served by us (no inline script, no inline handler, no eval), no
page can be framed (the console and the kiosk act on one click), and addresses with a ticket's or an
appointment's token in their path never travel to another site in a Referer.
"""
from __future__ import annotations

from flask import Flask

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


class SecurityHeaders:
    """WSGI middleware: the headers go on every answer that does not set its own, including those of
    the Socket.IO and load-shedding layers. At this level it costs a list scan, not a hook per request."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self._items = tuple(SECURITY_HEADERS.items())

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _value in headers}
            headers.extend(item for item in self._items if item[0].lower() not in present)
            return start_response(status, headers, exc_info)
        return self.wsgi_app(environ, start)


def install_security_headers(app: Flask) -> None:
    """Last in `create_app`, so that it wraps every other layer."""
    app.wsgi_app = SecurityHeaders(app.wsgi_app)
