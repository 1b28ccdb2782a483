"""Staff sign-in for pages: Flask-Login over revocable server-side sessions, CSRF on every staff form
(visitors' forms: okenko/public_forms.py), limits on failed sign-ins (shared with the API), and only same-site redirects after signing in."""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFProtect

from models import SessionKind, Staff, StaffIdentity
from models.fields import PASSWORD, fit

from .api.errors import ApiError
from .auth import login
from .public_forms import check_public_form, is_public_form
from .runtime import accounts, runtime

bp = Blueprint("accounts", __name__, url_prefix="/staff", template_folder="templates")
login_manager = LoginManager()
csrf = CSRFProtect()


class StaffUser(UserMixin):
    """The signed-in staff member. Flask-Login keeps the session's credential in the signed cookie;
    every request checks it against `staff_session`, so a copied cookie dies with its session."""

    def __init__(self, identity: StaffIdentity, credential: str):
        self.identity, self.credential = identity, credential

    def get_id(self) -> str:
        return self.credential


@login_manager.user_loader
def load_user(credential: str) -> StaffUser | None:
    identity = accounts().identity_for(credential)
    return None if identity is None else StaffUser(identity, credential)


class HttpsAwareSessions(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the site is reached over HTTPS: directly, through a
    trusted proxy (OKENKO_PROXIES + X-Forwarded-Proto), or by its configured public address."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure \
            or runtime(app).settings.public_url.startswith("https://")

    # Most requests (kiosks, displays, phones, probes) carry no session and leave it untouched: they
    # skip building the signing serializer and the cookie's settings, a fifth of a health probe's cost.
    def open_session(self, app, request):
        if "HTTP_COOKIE" not in request.environ or not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def init_accounts(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = None
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)   # checked in protect_session_requests
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 12 * 3600)  # a counsellor's shift
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    app.session_interface = HttpsAwareSessions()
    csrf.init_app(app)
    app.before_request(protect_session_requests)
    app.context_processor(lambda: {"lang": str(get_locale())})


def protect_session_requests() -> None:
    """Every staff form, and every API call a signed-in page makes with its session cookie, must
    carry the CSRF token. Bearer-token API calls and kiosk devices (SameSite=Strict cookie, JSON body)
    carry no ambient staff credentials to abuse; visitors' forms must come from this site."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if is_public_form():
        check_public_form()
        return
    if request.headers.get("Authorization"):
        return
    if not request.path.startswith("/api/") or current_user.is_authenticated:
        csrf.protect()


@bp.route("/login", methods=["GET", "POST"])
def sign_in():
    if request.method == "POST":
        username = fit(request.form.get("username", ""), Staff.username)
        try:
            staff = login(username, fit(request.form.get("password", ""), PASSWORD))
        except ApiError as exc:
            message = _("Too many failed sign-ins. Try again in %(seconds)s s.", seconds=exc.details["retry_after"]) \
                if exc.status == 429 else _("Unknown username or wrong password.")
            flash(message, "error")
            return render_template("accounts/login.html", username=username), exc.status
        session.clear()  # nothing from before signing in carries over
        login_user(StaffUser(staff, accounts().open_session(staff.id, SessionKind.PAGE)))
        return redirect(safe_next(request.args.get("next")))
    return render_template("accounts/login.html", username="")


@bp.post("/logout")
@login_required
def sign_out():
    accounts().end_session(current_user.credential)
    logout_user()
    session.clear()
    return redirect(url_for("accounts.sign_in"))


# Browsers drop tabs and newlines inside URLs and read "\" as "/": "/\t/evil" is "//evil".
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x1f\x7f]")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, or the counter list. An open redirect
    would help phishing, so the target is read the way a browser would read it."""
    fallback = url_for("counter.choose")
    if not target:
        return fallback
    decoded = target
    for _round in range(3):  # "%2509" decodes to "%09", then to a tab
        decoded = unquote(decoded)
    normalised = _IGNORED_BY_BROWSERS.sub("", decoded).replace("\\", "/")
    parts = urlsplit(normalised)
    if not normalised.startswith("/") or normalised.startswith("//") or parts.scheme or parts.netloc:
        return fallback
    return normalised
