"""Staff sign-in for pages: Flask-Login sessions, CSRF on every form, lockout after failures."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFProtect

from models import Staff

from .api.errors import ApiError
from .auth import StaffIdentity, login
from .limits import SIGN_IN, limiter
from .runtime import runtime

bp = Blueprint("accounts", __name__, url_prefix="/staff", template_folder="templates")
login_manager = LoginManager()
csrf = CSRFProtect()


class StaffUser(UserMixin):
    """The signed-in staff member. The session id includes the token version, so raising it
    (password change, forced sign-out) ends every session too."""

    def __init__(self, identity: StaffIdentity, token_version: int):
        self.identity, self.token_version = identity, token_version

    def get_id(self) -> str:
        return f"{self.identity.id}:{self.token_version}"


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    try:
        staff_id, version = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    with runtime().reader() as session:
        staff = session.get(Staff, staff_id)
        if staff is None or not staff.active or staff.token_version != version:
            return None
        return StaffUser(StaffIdentity(staff.id, staff.username, staff.display_name, staff.role), version)


def init_accounts(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = None
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)   # checked in protect_session_requests
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 12 * 3600)  # a counsellor's shift
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    csrf.init_app(app)
    app.before_request(protect_session_requests)
    app.context_processor(lambda: {"lang": str(get_locale())})


def protect_session_requests() -> None:
    """Every form, and every API call a signed-in page makes with its session cookie, must carry
    the CSRF token. Bearer-token API calls and kiosk devices (SameSite=Strict cookie, JSON body)
    carry no ambient staff credentials to abuse."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.headers.get("Authorization"):
        return
    if not request.path.startswith("/api/") or current_user.is_authenticated:
        csrf.protect()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN, methods=["POST"])
def sign_in():
    if request.method == "POST":
        username = request.form.get("username", "")[:60]
        try:
            staff = login(username, request.form.get("password", "")[:200])
        except ApiError as exc:
            message = _("Too many failed sign-ins. Try again in %(seconds)s s.", seconds=exc.details["retry_after"]) \
                if exc.status == 429 else _("Unknown username or wrong password.")
            flash(message, "error")
            return render_template("accounts/login.html", username=username), exc.status
        user = StaffUser(StaffIdentity(staff.id, staff.username, staff.display_name, staff.role), staff.token_version)
        login_user(user)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", username="")


@bp.post("/logout")
@login_required
def sign_out():
    logout_user()
    return redirect(url_for("accounts.sign_in"))


def _safe_next(target: str | None) -> str:
    # Only paths on this site: an open redirect would help phishing.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("counter.choose")
