"""Every catalog counts as its language does (CLDR plural rules), and every text with a number has
all of its language's forms."""
from __future__ import annotations

import pytest
from flask_babel import force_locale, ngettext

from kiosk.messages import messages_for
from tests.test_translations import catalog, staff_only

PLURAL_FORMS = {
    "cs": "nplurals=3; plural=((n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2);",
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "uk": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "fr": "nplurals=2; plural=(n > 1);",
    "mn": "nplurals=2; plural=(n != 1);",
    "vi": "nplurals=1; plural=0;",
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=0 && n%100<=2 ? 4 : 5);",
}


@pytest.mark.parametrize("language", list(PLURAL_FORMS))
def test_catalog_declares_its_languages_plural_rule(language):
    assert catalog(language).plural_forms == PLURAL_FORMS[language]


@pytest.mark.parametrize("language", list(PLURAL_FORMS))
def test_every_counted_visitor_text_has_all_forms_filled(language):
    found = catalog(language)
    counted = [m for m in found if isinstance(m.id, tuple) and not staff_only(m)]
    assert len(counted) >= 5          # people ahead, minutes, hours, places, seconds
    for message in counted:
        assert len(message.string) == found.num_plurals and all(message.string), message.id
        assert "fuzzy" not in message.flags, message.id


@pytest.mark.parametrize(("language", "count", "expected"), [
    ("fr", 0, "0 place"), ("fr", 1, "1 place"), ("fr", 2, "2 places"),
    ("ru", 1, "1 место"), ("ru", 3, "3 места"), ("ru", 5, "5 мест"), ("ru", 21, "21 место"), ("ru", 12, "12 мест"),
    ("uk", 2, "2 місця"), ("uk", 11, "11 місць"),
    ("cs", 1, "1 místo"), ("cs", 4, "4 místa"), ("cs", 5, "5 míst"),
    ("ar", 1, "مكان واحد"), ("ar", 2, "مكانان"), ("ar", 3, "3 أماكن"), ("ar", 11, "11 مكانًا"), ("ar", 100, "100 مكان"),
    ("vi", 2, "Còn 2 chỗ"), ("mn", 2, "2 сул байр"),
])
def test_free_places_follow_the_languages_plural_rule(app, language, count, expected):
    with app.test_request_context(), force_locale(language):
        assert ngettext("%(num)d place", "%(num)d places", count) == expected


def test_the_kiosk_countdown_gets_every_counts_form(app):
    with app.test_request_context():
        messages = messages_for(["fr", "ar", "ru"])
    assert messages["fr"]["returning"]["1"] == "Cet écran revient au début dans {seconds} seconde."
    assert messages["fr"]["returning"]["5"] == "Cet écran revient au début dans {seconds} secondes."
    assert messages["ar"]["returning"]["2"] == "ستعود هذه الشاشة إلى البداية خلال ثانيتين."
    assert messages["ar"]["returning"]["5"] == "ستعود هذه الشاشة إلى البداية خلال {seconds} ثوانٍ."
    assert messages["ru"]["returning"]["3"] == "Экран вернётся в начало через {seconds} секунды."
