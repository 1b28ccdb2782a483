"""Every visitor-facing text is translated into every visitor language, placeholders intact."""
from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from okenko.i18n import LANGUAGES, SOURCES

# Pages only staff read (sign-in, console, how to register a screen): Czech and English are enough.
STAFF_SOURCES = ("counter/", "admin/", "stats/", "okenko/accounts.py", "okenko/home.py", "okenko/templates/")


def staff_only(message) -> bool:
    return bool(message.locations) and all(path.startswith(STAFF_SOURCES) for path, _line in message.locations)
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)[sd]")


def catalog(language: str):
    with (SOURCES / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_catalog_is_complete(language):
    for message in catalog(language):
        if not message.id or (staff_only(message) and language != "cs"):
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(forms), f"{language}: untranslated {message.id!r}"
        assert not message.fuzzy, f"{language}: fuzzy (a guess nobody checked) {message.id!r}"
        source = message.id[-1] if isinstance(message.id, tuple) else message.id
        expected = set(PLACEHOLDER.findall(source))
        for form in forms:
            # Arabic's forms for one and two spell the number out.
            if language == "ar" and forms.index(form) in (0, 1, 2) and isinstance(message.id, tuple):
                continue
            assert set(PLACEHOLDER.findall(form)) == expected, f"{language}: {form!r} vs {source!r}"
