"""After signing in, only a path on this site is followed; behind HTTPS the session cookie is Secure."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from ..api.test_sessions import sign_in_page


@pytest.mark.parametrize("payload", [
    "//evil.example", "/\\evil.example", "\\\\evil.example", "/%09/evil.example", "/%0a/evil.example",
    "/%5cevil.example", "%2F%2Fevil.example", "/%2509/evil.example", "https://evil.example",
    "http:evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", " //evil.example", "evil.example",
    "/\t/evil.example", "//evil.example/counter", "https:/evil.example",
])
def test_sign_in_never_redirects_off_site(app, payload):
    response = sign_in_page(app.test_client(), next_=quote(payload, safe=""))
    assert response.status_code == 302
    assert response.headers["Location"] == "/counter", payload


@pytest.mark.parametrize("path", ["/counter/3", "/reception", "/appointments?branch=praha-iv&date=2026-11-24"])
def test_sign_in_returns_to_the_page_asked_for(app, path):
    response = sign_in_page(app.test_client(), next_=quote(path, safe=""))
    assert response.headers["Location"] == path


def session_cookie_header(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_the_session_cookie_is_secure_behind_an_https_proxy(demo_app):
    app = demo_app(proxies=1, public_url="")
    behind = app.test_client()
    # (Over HTTPS, CSRF protection also wants a same-site Referer, as browsers send.)
    response = sign_in_page(behind, headers={"X-Forwarded-Proto": "https", "Referer": "https://localhost/staff/login"})
    assert "; Secure" in session_cookie_header(response)
    plain = sign_in_page(app.test_client())
    assert "; Secure" not in session_cookie_header(plain)  # plain HTTP on a LAN still works


def test_the_session_cookie_is_secure_with_an_https_public_address(demo_app):
    app = demo_app(public_url="https://okenko.example")
    assert "; Secure" in session_cookie_header(sign_in_page(app.test_client()))
    assert "HttpOnly" in session_cookie_header(sign_in_page(app.test_client()))
