"""`/`: staff see the pages their role may use; the public is sent to the booking pages."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from models import Role

from .auth import COUNTER_ROLES, FRONT_DESK_ROLES

bp = Blueprint("home", __name__, template_folder="templates")
OFFICE_ROLES = (Role.ADMIN, Role.COORDINATOR)

# (endpoint, label, roles): a link shows when the endpoint exists and the role may use it.
LINKS = (
    ("counter.choose", _l("Counter console"), COUNTER_ROLES),
    ("reception.reception", _l("Reception"), FRONT_DESK_ROLES),
    ("staff_appointments.day", _l("Appointments"), FRONT_DESK_ROLES),
    ("admin.overview", _l("Administration"), OFFICE_ROLES),
    ("stats.page", _l("Statistics"), OFFICE_ROLES),
)


def staff_links(role: str) -> list[tuple[str, str]]:
    return [(url_for(endpoint), str(label)) for endpoint, label, roles in LINKS
            if endpoint in current_app.view_functions and role in {str(r) for r in roles}]


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("booking.branches"))
    return render_template("home.html", links=staff_links(current_user.identity.role))
