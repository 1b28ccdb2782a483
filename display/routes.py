"""The waiting-room display page of a registered display device."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale
from sqlalchemy import select

from models import Branch, DeviceKind, Display
from okenko.devices import register, registered, registering
from okenko.i18n import LANGUAGES
from okenko.runtime import runtime

from .messages import counter_words, labels

bp = Blueprint("display", __name__, template_folder="templates", static_folder="static",
               static_url_path="/display/static")


@bp.get("/display")
def display():
    if registering():
        return register(DeviceKind.DISPLAY, "display.display") or _unregistered(failed=True)
    device = registered(DeviceKind.DISPLAY)
    if device is None:
        return _unregistered()
    return render_template("display/display.html", config=_page_config(device.id, device.branch_code))


def _unregistered(failed: bool = False):
    return render_template("shared/unregistered.html", lang=str(get_locale()), failed=failed, kind="display"), 403


def _page_config(device_id: int, branch_code: str) -> dict:
    with runtime().reader() as session:
        branch = session.execute(select(Branch).where(Branch.code == branch_code)).scalar_one()
        screen = session.execute(select(Display).where(Display.device_id == device_id)
                                 .order_by(Display.id)).scalars().first()
        languages = [code for code in branch.languages if code in LANGUAGES]
        names, timezone = dict(branch.names), branch.timezone
    return {
        "branch": branch_code,
        "branchNames": names,
        "timezone": timezone,
        "chime": screen.chime if screen else True,
        "speech": screen.speech if screen else True,
        "recentCalls": screen.recent_calls if screen else 6,
        "services": screen.service_codes if screen else [],
        "volume": (screen.volume if screen else 80) / 100,
        # Empty: Czech and the ticket's language.
        "spokenLanguages": list(screen.spoken_languages or []) if screen else [],
        # Service names rotate through these under the Czech one.
        "languages": [code for code in languages if code != "cs"],
        "labels": labels(),
        "counterWords": counter_words(sorted(set(LANGUAGES))),
        "highlightSeconds": 10,
    }
