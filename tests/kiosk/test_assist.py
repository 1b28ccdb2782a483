"""A kiosk's read-aloud audio and its "Call staff" alert, through the JSON API."""
from __future__ import annotations

import os
import shutil

import pytest

from ..api.helpers import KIOSK, staff_headers

needs_espeak = pytest.mark.skipif(not shutil.which("espeak-ng") and os.environ.get("CI") != "true",
                                  reason="espeak-ng not installed (tests/system-deps.sh installs it)")


@needs_espeak
@pytest.mark.parametrize("language, text", [("vi", "Số của bạn R 1."), ("mn", "Таны дугаар R 1.")])
def test_a_kiosk_gets_its_screen_read_aloud(client, language, text):
    response = client.get("/api/v1/kiosk/speech.wav", query_string={"language": language, "text": text},
                          headers=KIOSK)
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    assert response.data[:4] == b"RIFF"


def test_only_a_kiosk_may_have_text_read(client):
    response = client.get("/api/v1/kiosk/speech.wav", query_string={"language": "cs", "text": "Ahoj"})
    assert response.status_code == 401


@pytest.mark.parametrize("query", [{"language": "xx", "text": "Ahoj"}, {"language": "cs", "text": ""},
                                   {"language": "cs", "text": "a" * 401}])
def test_bad_read_aloud_requests_are_refused(client, query):
    response = client.get("/api/v1/kiosk/speech.wav", query_string=query, headers=KIOSK)
    assert response.status_code == 422
    assert response.json["error"] == "invalid_request"


def test_call_staff_waits_until_acknowledged_once(client):
    first = client.post("/api/v1/kiosk/help", json={"branch": "praha-iv"}, headers=KIOSK)
    assert first.status_code == 201
    again = client.post("/api/v1/kiosk/help", json={"branch": "praha-iv"}, headers=KIOSK)
    assert again.json["seq"] == first.json["seq"]                       # pressing again adds nothing
    staff = staff_headers(client, "receptionist")
    waiting = client.get("/api/v1/branches/praha-iv/help-requests", headers=staff).json
    assert [alert["seq"] for alert in waiting] == [first.json["seq"]]
    url = f"/api/v1/branches/praha-iv/help-requests/{first.json['seq']}/acknowledge"
    assert client.post(url, headers=staff).status_code == 200
    assert client.post(url, headers=staff).status_code == 409
    assert client.get("/api/v1/branches/praha-iv/help-requests", headers=staff).json == []
    assert client.post("/api/v1/branches/praha-iv/help-requests/99999/acknowledge",
                       headers=staff).status_code == 404


def test_only_a_kiosk_of_the_branch_calls_staff(client):
    assert client.post("/api/v1/kiosk/help", json={"branch": "praha-iv"}).status_code == 401
    assert client.post("/api/v1/kiosk/help", json={"branch": "nowhere"}, headers=KIOSK).status_code == 403
    assert client.post("/api/v1/kiosk/help", json={"branch": 5}, headers=KIOSK).status_code == 422


def test_help_requests_are_for_staff(client):
    assert client.get("/api/v1/branches/praha-iv/help-requests").status_code == 401


def test_a_practice_ticket_needs_staff(client):
    response = client.post("/api/v1/kiosk/practice-tickets",
                           json={"branch": "praha-iv", "service": "residence", "language": "vi"}, headers=KIOSK)
    assert response.status_code == 401
