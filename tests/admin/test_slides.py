"""Slides: published to displays at once over the real socket, weekday and time windows, pictures
checked and served with caching headers, and the page forms."""
from __future__ import annotations

import io

from PIL import Image

from ..api.helpers import staff_headers
from ..conftest import freeze
from ..counter.test_staff_pages import sign_in
from ..display.test_realtime import display


def png(width=64, height=36, noise=False) -> bytes:
    out = io.BytesIO()
    picture = Image.effect_noise((width, height), 64).convert("RGB") if noise else \
        Image.new("RGB", (width, height), (11, 61, 145))
    picture.save(out, format="PNG")
    return out.getvalue()


def test_a_published_slide_reaches_the_branchs_displays_at_once(live_server):
    server = live_server()
    client = server.app.test_client()
    coordinator = staff_headers(client, "coordinator")
    screen = display(server.url, "praha-iii")
    try:
        screen.next("snapshot")
        made = client.post("/api/v1/branches/praha-iii/slides", json={
            "language": "vi", "title": "Giờ làm việc mới", "body": "Từ tháng 12.\n\nThứ Hai đến thứ Năm."},
            headers=coordinator)
        assert made.status_code == 201, made.json
        pushed = screen.next("slide")
        assert "Giờ làm việc mới" in [s["title"] for s in pushed["slides"]]
        client.patch(f"/api/v1/slides/{made.json['id']}", json={"active": False}, headers=coordinator)
        assert "Giờ làm việc mới" not in [s["title"] for s in screen.next("slide")["slides"]]
    finally:
        screen.close()


def test_weekday_and_time_windows(app):
    freeze(app)                                         # Monday 23 Nov 2026, 09:30 in Prague
    client = app.test_client()
    coordinator = staff_headers(client, "coordinator")
    for title, window in (("monday mornings", {"weekdays": ["mon"], "time_from": "08:00", "time_until": "12:00"}),
                          ("afternoons", {"time_from": "13:00"}), ("fridays", {"weekdays": ["fri"]}),
                          ("until christmas", {"valid_until": "2026-12-24"}), ("expired", {"valid_until": "2026-11-01"})):
        assert client.post("/api/v1/slides", json={"branch": "praha-iv", "title": title, "language": "en"} | window,
                           headers=coordinator).status_code == 201
    shown = [s["title"] for s in client.get("/api/v1/branches/praha-iv/snapshot").json["slides"]]
    assert "monday mornings" in shown and "until christmas" in shown
    assert "afternoons" not in shown and "fridays" not in shown and "expired" not in shown
    bad = client.post("/api/v1/slides", json={"title": "x", "time_from": "25:00"}, headers=coordinator)
    assert bad.status_code == 422 and "25:00" in bad.json["message"]


def test_pictures_are_checked_and_served_with_caching_headers(app):
    client = app.test_client()
    coordinator = staff_headers(client, "coordinator")
    slide = client.post("/api/v1/slides", json={"title": "Mapa"}, headers=coordinator).json
    not_a_picture = client.put(f"/api/v1/slides/{slide['id']}/image", data=b"<svg onload=alert(1)>",
                               headers=coordinator | {"Content-Type": "image/svg+xml"})
    assert not_a_picture.status_code == 422 and "not a picture" in not_a_picture.json["message"]
    too_big = client.put(f"/api/v1/slides/{slide['id']}/image", data=b"\0" * (2 * 1024 * 1024 + 10),
                         headers=coordinator | {"Content-Type": "image/png"})
    assert too_big.status_code == 413
    stored = client.put(f"/api/v1/slides/{slide['id']}/image", data=png(),
                        headers=coordinator | {"Content-Type": "image/png"})
    assert stored.status_code == 200 and stored.json["image_url"].startswith(f"/slides/{slide['id']}/image?v=")
    served = app.test_client().get(stored.json["image_url"])
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data == png()
    assert "max-age=604800" in served.headers["Cache-Control"] and "public" in served.headers["Cache-Control"]
    again = app.test_client().get(stored.json["image_url"], headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304


def test_slide_pages(app):
    client = app.test_client()
    token = sign_in(client, "coordinator")
    made = client.post("/admin/slides", data={"csrf_token": token, "branch": "praha-i", "language": "",
                                              "title": "Vánoce", "body": "Zavřeno 24.–26. 12.", "duration_s": "20",
                                              "weekdays": ["mon", "tue"], "time_from": "08:00"},
                       follow_redirects=True)
    assert "Vánoce" in made.get_data(as_text=True)
    slide = next(s for s in client.get("/api/v1/branches/praha-i/slides").json if s["title"] == "Vánoce")
    assert (slide["title"], slide["weekdays"], slide["time_from"], slide["duration_s"]) == \
        ("Vánoce", ["mon", "tue"], "08:00", 20)
    with_picture = client.post(f"/admin/slides/{slide['id']}", data={
        "csrf_token": token, "title": "Vánoce", "language": "cs", "active": "on",
        "image": (io.BytesIO(png(640, 360, noise=True)), "mapa.png")}, content_type="multipart/form-data", follow_redirects=True)
    assert with_picture.status_code == 200
    assert len(png(640, 360, noise=True)) > 100_000        # larger than the usual body limit
    stored = next(s for s in client.get("/api/v1/branches/praha-i/slides").json if s["id"] == slide["id"])
    assert stored["image_url"].startswith(f"/slides/{slide['id']}/image?v=") and stored["language"] == "cs"
    preview = client.get(f"/admin/slides/{slide['id']}/preview").get_data(as_text=True)
    assert "preview-screen" in preview and "Vánoce" in preview


def test_a_connected_display_is_told_when_its_slides_change_by_the_clock(app):
    clock = freeze(app)                                 # Monday 23 Nov 2026, 09:30 in Prague
    client = app.test_client()
    coordinator = staff_headers(client, "coordinator")
    for title, window in (("mornings", {"time_until": "10:15"}), ("afternoons", {"time_from": "13:00"}),
                          ("all day", {"time_from": "00:00", "time_until": "24:00"})):
        client.post("/api/v1/slides", json={"branch": "praha-iii", "title": title} | window, headers=coordinator)

    def snapshot():
        shown = client.get("/api/v1/branches/praha-iii/snapshot").json
        return [s["title"] for s in shown["slides"] if s["title"] in ("mornings", "afternoons", "all day")], \
            shown["slides_change_at"]

    assert snapshot() == (["mornings", "all day"], "2026-11-23T09:15:00+00:00")     # 10:15 in Prague
    clock.advance(minutes=46)
    assert snapshot() == (["all day"], "2026-11-23T12:00:00+00:00")                  # 13:00
    clock.advance(hours=3)
    assert snapshot() == (["afternoons", "all day"], "2026-11-23T23:00:00+00:00")    # midnight
