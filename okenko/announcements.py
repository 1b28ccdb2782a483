"""What the waiting room hears when a ticket is called: one sentence per language, from a template
written by someone who speaks it, with the ticket and counter numbers read as numbers.

A call is announced in Czech and in the ticket's language. Each announcement is a URL that a
display plays (GET → audio/wav, made by okenko/speech.py). Mongolian has no voice in any offline
engine: its announcement is the ticket and counter numbers in the Russian voice, which most
Mongolian visitors of a Czech office understand (FALLBACK_VOICES); where no fallback speaks
either, the display plays the chime alone.
"""
from __future__ import annotations

import re
from urllib.parse import urlencode

from flask_babel import force_locale, lazy_gettext as _l

ANNOUNCEMENT = _l("Number {number}, please go to counter number {counter}.")
AUDIO_PATH = "/api/v1/announcements/{language}.wav"
ANNOUNCED_LANGUAGES = ("cs",)           # always, besides the ticket's own language
FALLBACK_VOICES = {"mn": "ru"}
TICKET_NUMBER = re.compile(r"^([A-Za-z]{1,3})-?([0-9]{1,5})$")


def spoken_number(label: str) -> str:
    """'R-009' → 'R 9': the letter, then the number as a number (never "zero zero nine")."""
    match = TICKET_NUMBER.match(label)
    if match is None:
        raise ValueError(f"not a ticket number: {label!r}")
    return f"{match.group(1)} {int(match.group(2))}"


def announcement_text(label: str, counter_number: int, language: str) -> str:
    with force_locale(language):
        return str(ANNOUNCEMENT).format(number=spoken_number(label), counter=counter_number)


def fallback_text(label: str, counter_number: int) -> str:
    """Numbers only, for a language spoken in another language's voice."""
    return f"{spoken_number(label)}. {counter_number}."


def audio_urls(label: str, counter: dict | None, language: str) -> dict[str, str]:
    """Language → URL of the announcement of this call (Czech first, then the ticket's language)."""
    if counter is None or counter.get("number") is None:
        return {}
    query = urlencode({"number": label, "counter": counter["number"]})
    languages = dict.fromkeys((*ANNOUNCED_LANGUAGES, language))
    return {code: f"{AUDIO_PATH.format(language=code)}?{query}" for code in languages}


def with_audio(calls: list[dict]) -> list[dict]:
    """Active calls (models/snapshot.py) with the URLs of their announcements."""
    return [call | {"audio": audio_urls(call["number"], call["counter"], call["language"])} for call in calls]
