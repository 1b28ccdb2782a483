"""Spoken announcements synthesized on the server (espeak-ng), and the active calls of the snapshot."""
from __future__ import annotations

import io
import os
import shutil
import stat
import wave
from pathlib import Path

import pytest

from okenko.announcements import announcement_text, audio_urls, spoken_number
from okenko.speech import Speech, SpeechError, parse_voices

from ..api.helpers import counter_id, issue, staff_headers

needs_espeak = pytest.mark.skipif(not shutil.which("espeak-ng") and os.environ.get("CI") != "true",
                                  reason="espeak-ng not installed (tests/system-deps.sh installs it)")


def seconds(wav: bytes) -> float:
    with wave.open(io.BytesIO(wav)) as sound:
        return sound.getnframes() / sound.getframerate()


def test_numbers_are_read_as_numbers():
    assert spoken_number("R-009") == "R 9"
    assert spoken_number("A-120") == "A 120"
    with pytest.raises(ValueError):
        spoken_number("R-009; rm -rf /")


def test_templates_read_as_a_native_speaker_says_them(app):
    with app.app_context():
        assert announcement_text("R-009", 2, "cs") == "Číslo R 9, dostavte se prosím k přepážce číslo 2."
        assert announcement_text("A-014", 3, "vi") == "Số A 14, xin mời đến quầy số 3."
        assert announcement_text("R-009", 2, "ru") == "Номер R 9, пройдите, пожалуйста, к окну номер 2."
        assert announcement_text("R-009", 2, "fr") == "Numéro R 9, veuillez vous présenter au guichet numéro 2."


def test_a_call_is_announced_in_czech_and_the_tickets_language():
    counter = {"id": 7, "name": "Přepážka 2", "number": 2, "names": {}}
    assert audio_urls("R-009", counter, "vi") == {
        "cs": "/api/v1/announcements/cs.wav?number=R-009&counter=2",
        "vi": "/api/v1/announcements/vi.wav?number=R-009&counter=2",
    }
    assert list(audio_urls("R-009", counter, "cs")) == ["cs"]


@needs_espeak
@pytest.mark.parametrize("language", ["cs", "vi", "mn"])
def test_an_announcement_is_playable_audio(client, language):
    response = client.get(f"/api/v1/announcements/{language}.wav?number=R-009&counter=2")
    assert response.status_code == 200
    assert response.mimetype == "audio/wav"
    assert response.data[:4] == b"RIFF"
    assert seconds(response.data) >= 1.0


@needs_espeak
def test_announcements_are_cached_by_text_and_voice(app, client):
    first = client.get("/api/v1/announcements/cs.wav?number=R-009&counter=2").data
    again = client.get("/api/v1/announcements/cs.wav?number=R-009&counter=2").data
    client.get("/api/v1/announcements/vi.wav?number=R-009&counter=2")
    assert first == again
    assert len(list((Path(app.instance_path) / "speech").glob("*.wav"))) == 2


@pytest.mark.parametrize("query, status", [
    ("number=R-009&counter=0", 422), ("number=R-009&counter=x", 422), ("number=hello&counter=2", 422),
    ("counter=2", 422),
])
def test_bad_announcement_requests_are_refused(client, query, status):
    response = client.get(f"/api/v1/announcements/cs.wav?{query}")
    assert response.status_code == status
    assert response.json["error"] == "invalid_request"


def test_an_unknown_language_is_not_found(client):
    assert client.get("/api/v1/announcements/xx.wav?number=R-009&counter=2").status_code == 404


def test_a_hung_synthesizer_is_given_up_on(tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "espeak-ng"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexec sleep 30\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    speech = Speech(tmp_path / "cache", timeout_s=0.5)
    with pytest.raises(SpeechError, match="longer than 0.5 s"):
        speech.speak("Číslo R 9", "cs")
    assert list((tmp_path / "cache").iterdir()) == []                 # no half-written file left behind


def test_mongolian_has_no_voice_of_its_own(tmp_path):
    assert Speech(tmp_path).voice_for("mn") is None


def test_better_voices_are_configured_per_language():
    voices = parse_voices("cs=rhvoice:zdenek; ru=festival:voice_msu_ru_nsh_clunits")
    assert voices["cs"].key == "rhvoice:zdenek"
    assert voices["ru"].key == "festival:voice_msu_ru_nsh_clunits"
    with pytest.raises(ValueError):
        parse_voices("cs=say:zdenek")


def test_snapshot_keeps_one_active_call_per_counter_until_started(app, client):
    staff = {name: staff_headers(client, name) for name in ("assistant", "counsellor")}
    desks = {"assistant": counter_id(app, "praha-iv", "Přepážka 1"),
             "counsellor": counter_id(app, "praha-iv", "Přepážka 2")}
    for name, desk in desks.items():
        client.post(f"/api/v1/counters/{desk}/open", headers=staff[name])
        issue(client, service="assistance", language="vi")
    first = client.post(f"/api/v1/counters/{desks['assistant']}/call-next", headers=staff["assistant"]).json
    second = client.post(f"/api/v1/counters/{desks['counsellor']}/call-next", headers=staff["counsellor"]).json
    client.post(f"/api/v1/tickets/{first['id']}/recall", headers=staff["assistant"])
    calls = client.get("/api/v1/branches/praha-iv/snapshot").json["active_calls"]
    assert [(c["number"], c["counter"]["number"], c["call_count"]) for c in calls] == [
        (second["number"], 2, 1), (first["number"], 1, 2)]
    assert calls[0]["counter"] == {"id": desks["counsellor"], "name": "Přepážka 2", "number": 2, "names": {}}
    assert calls[0]["audio"]["vi"] == f"/api/v1/announcements/vi.wav?number={second['number']}&counter=2"
    client.post(f"/api/v1/tickets/{second['id']}/start", headers=staff["counsellor"])
    calls = client.get("/api/v1/branches/praha-iv/snapshot").json["active_calls"]
    assert [c["number"] for c in calls] == [first["number"]]


@needs_espeak
def test_the_cache_keeps_the_newest_files_only(tmp_path, monkeypatch):
    from okenko import speech as speech_module
    monkeypatch.setattr(speech_module, "CACHE_FILES", 2)
    voice = Speech(tmp_path)
    first, second, third = (voice.speak(f"Číslo A {n}", "cs") for n in (1, 2, 3))
    assert not first.exists() and second.exists() and third.exists()
    assert sorted(tmp_path.glob("*.wav")) == sorted([second, third])


@needs_espeak
def test_new_announcements_are_limited_per_address_and_cached_ones_are_not(client, monkeypatch):
    from display import api
    from okenko.limits import Budget
    monkeypatch.setattr(api, "new_announcements", Budget("2 per minute", "new-announcement-test"))
    url = "/api/v1/announcements/cs.wav?counter=2&number="
    assert client.get(url + "R-101").status_code == 200
    assert client.get(url + "R-102").status_code == 200
    refused = client.get(url + "R-103")
    assert refused.status_code == 429 and refused.json["error"] == "rate_limited" and refused.headers["Retry-After"]
    assert client.get(url + "R-101").status_code == 200            # spoken before: from the cache


@needs_espeak
def test_the_cache_keeps_what_is_used(tmp_path, monkeypatch):
    from okenko import speech as speech_module
    monkeypatch.setattr(speech_module, "CACHE_FILES", 2)
    voice = Speech(tmp_path)
    first, second = voice.speak("Číslo A 1", "cs"), voice.speak("Číslo A 2", "cs")
    assert voice.speak("Číslo A 1", "cs") == first                 # used again
    third = voice.speak("Číslo A 3", "cs")
    assert first.exists() and not second.exists() and third.exists()
