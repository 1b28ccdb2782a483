"""What a waiting-room display says: labels (in Czech and English, for everyone in the room) and the
spoken announcement in every language."""
from __future__ import annotations

from flask_babel import force_locale, lazy_gettext as _l

LABELS = {
    "now_calling": _l("Now calling"),
    "recent": _l("Recent calls"),
    "waiting": _l("Waiting"),
    "minutes": _l("about {minutes} min"),
    "closed": _l("not available now"),
    "reconnecting": _l("Reconnecting…"),
    "go_to": _l("go to"),
    "appointment": _l("appointment"),
}
ANNOUNCEMENT = _l("Number {number}, please go to {counter}.")


def labels(languages: tuple[str, ...] = ("cs", "en")) -> dict[str, dict[str, str]]:
    out = {}
    for language in languages:
        with force_locale(language):
            out[language] = {key: str(text) for key, text in LABELS.items()}
    return out


def announcements(languages: list[str]) -> dict[str, str]:
    out = {}
    for language in languages:
        with force_locale(language):
            out[language] = str(ANNOUNCEMENT)
    return out
