"""What a waiting-room display writes: labels in Czech and English, for everyone in the room, and the
word for a counter in every language of the branch (calls are spoken by okenko/announcements.py)."""
from __future__ import annotations

from flask_babel import force_locale, lazy_gettext as _l

LABELS = {
    "now_calling": _l("Now calling"),
    "recent": _l("Recent calls"),
    "waiting": _l("Waiting"),
    "minutes": _l("about {minutes} min"),
    "hours": _l("about {hours} h {minutes} min"),
    "closed": _l("not available now"),
    "reconnecting": _l("Reconnecting…"),
    "go_to": _l("go to"),
    "appointment": _l("appointment"),
}
# What the desk is called next to its number, in the language of the visitor called there.
COUNTER = _l("Counter")


def labels(languages: tuple[str, ...] = ("cs", "en")) -> dict[str, dict[str, str]]:
    out = {}
    for language in languages:
        with force_locale(language):
            out[language] = {key: str(text) for key, text in LABELS.items()}
    return out


def counter_words(languages: list[str]) -> dict[str, str]:
    out = {}
    for language in languages:
        with force_locale(language):
            out[language] = str(COUNTER)
    return out
