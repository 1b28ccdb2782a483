"""Visitor texts use the glossary's agreed words (okenko/translations/glossary.toml), in every language."""
from __future__ import annotations

import re
import tomllib

import pytest

from okenko.demo import SERVICES
from okenko.i18n import SOURCES
from tests.test_translations import PLACEHOLDER, catalog, staff_only

GLOSSARY = tomllib.loads((SOURCES / "glossary.toml").read_text(encoding="utf-8"))
LANGUAGES = ("cs", "ru", "vi", "mn", "fr", "uk", "ar")
CONCEPTS = {name: entry for name, entry in GLOSSARY.items() if "match" in entry}


def visitor_messages(language: str):
    for message in catalog(language):
        if message.id and not staff_only(message):
            source = message.id[0] if isinstance(message.id, tuple) else message.id
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            yield PLACEHOLDER.sub("", source), forms


def test_glossary_covers_every_language_and_concept():
    assert set(CONCEPTS) == {"ticket", "counter", "appointment", "check_in", "kiosk", "reception",
                             "interpreting", "queue"}
    for name, entry in CONCEPTS.items():
        assert set(LANGUAGES) | {"en"} <= set(entry), name
    assert set(GLOSSARY["services"]) == {"assistance", "residence", "legal", "interpreting"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_visitor_texts_use_the_agreed_terms(language):
    problems = []
    for source, forms in visitor_messages(language):
        for name, concept in CONCEPTS.items():
            if not re.search(concept["match"], source):
                continue
            rule = concept[language]
            for form in forms:
                lowered = form.lower()
                if not any(stem.lower() in lowered for stem in rule["stems"]):
                    problems.append(f"{name}: {form!r} lacks {rule['term']!r} ({source!r})")
                for wrong in rule.get("avoid", ()):
                    if wrong.lower() in lowered:
                        problems.append(f"{name}: {form!r} says {wrong!r}, not {rule['term']!r}")
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_visitor_text_uses_a_word_to_avoid(language):
    avoid = GLOSSARY["avoid_everywhere"][language]
    found = [(wrong, form) for _source, forms in visitor_messages(language) for form in forms
             for wrong in avoid if wrong.lower() in form.lower()]
    assert found == []


def test_the_examples_fluent_readers_found_are_gone():
    # Written out literally, so the glossary cannot quietly drop them.
    everywhere = GLOSSARY["avoid_everywhere"]
    assert {"киоск", "Ассистенция", "Вы следующий"} <= set(everywhere["ru"])
    assert {"рецепці", "Асистенція"} <= set(everywhere["uk"])
    assert "quầy lễ tân" in everywhere["vi"]
    assert "xác nhận" in GLOSSARY["check_in"]["vi"]["avoid"]
    assert "Хүлээн авахаас асууна уу" in everywhere["mn"]
    assert "ČEKÁTE" in everywhere["cs"]


def test_demo_services_carry_the_glossary_names():
    for service in SERVICES:
        assert service["names"] == GLOSSARY["services"][service["code"]], service["code"]


def test_demo_descriptions_avoid_the_wrong_words():
    for service in SERVICES:
        for language, text in service["descriptions"].items():
            for wrong in GLOSSARY["avoid_everywhere"].get(language, ()):
                assert wrong.lower() not in text.lower(), (service["code"], language, text)
