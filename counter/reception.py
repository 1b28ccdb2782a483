"""The reception desk: issue a ticket for a visitor (priority for vulnerable clients), cancel, print."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Branch
from models.fields import fit
from okenko.api.errors import ApiError
from okenko.auth import FRONT_DESK_ROLES, authorize
from okenko.i18n import LANGUAGES
from okenko.runtime import runtime

from .labels import TICKET_STATUSES, as_text, help_labels

bp = Blueprint("reception", __name__, template_folder="templates", static_folder="static",
               static_url_path="/reception/static")


@bp.before_request
@login_required
def front_desk_only():
    """Front-desk roles only, and a form naming a branch only at a branch the person works at."""
    branch = request.values.get("branch") or None
    try:
        authorize(FRONT_DESK_ROLES, fit(branch, Branch.code) if branch else None)
    except ApiError:
        abort(403)


@bp.get("/reception")
def reception():
    with runtime().reader() as session:
        branches = [b for b in session.execute(select(Branch).order_by(Branch.code)
                                               .options(selectinload(Branch.services))).scalars()
                    if current_user.identity.works_at(b.code)]
        config = {
            "branches": [{"code": b.code, "name": b.name("cs"), "languages": b.languages,
                          "services": [{"code": s.code, "name": s.name("cs"), "prefix": s.prefix}
                                       for s in b.services if s.active]} for b in branches],
            "languages": {code: lang.native for code, lang in LANGUAGES.items()},
            "labels": {"cancel": _("Cancel ticket"), "print": _("Print"), "printed": _("Printed."),
                       "not_printed": _("Not printed: %(reason)s", reason="{reason}"),
                       "issued": _("Issued %(number)s", number="{number}"),
                       "statuses": as_text(TICKET_STATUSES)} | help_labels(),
        }
    return render_template("counter/reception.html", config=config)
