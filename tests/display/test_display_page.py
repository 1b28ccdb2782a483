"""The waiting-room display in Chromium."""
from __future__ import annotations

import re
import time

from ..api.helpers import counter_id, issue, staff_headers
from ..conftest import DEMO_SECRET


def open_desk(app):
    """A test client, a counsellor's headers, and Přepážka 2 of Praha IV, open."""
    client = app.test_client()
    staff = staff_headers(client, "counsellor")
    desk = counter_id(app, "praha-iv", "Přepážka 2")
    client.post(f"/api/v1/counters/{desk}/open", headers=staff)
    return client, staff, desk


def watch(page, server):
    """The branch's display, once it has its first snapshot."""
    page.goto(f"{server.url}/display?token={DEMO_SECRET}&branch=praha-iv")
    page.wait_for_function("window.okenkoDisplay && window.okenkoDisplay.seq() !== null")
    return page


def test_display_shows_a_new_call_within_a_second(live_server, landscape):
    server = live_server()
    client, staff, desk = open_desk(server.app)
    page = watch(landscape, server)
    assert page.locator("#queues li").count() == 4
    assert page.locator("#current").is_hidden()                      # nothing called yet: no empty box
    issue(client, service="residence", language="ru")
    started = time.monotonic()
    called = client.post(f"/api/v1/counters/{desk}/call-next", headers=staff).json
    page.wait_for_function(f"document.getElementById('current-number').textContent === '{called['number']}'",
                           timeout=1000)
    elapsed = time.monotonic() - started
    assert page.locator("#current-counter .counter-number").inner_text() == "2"
    assert page.locator("#current-counter .counter-word").inner_text() == "Přepážka · Окно"   # cs · ru
    assert page.locator("#recent li").count() == 0        # the history holds only calls no longer waiting
    assert elapsed < 1.0
    assert page.locator("#slide-title").inner_text() != ""         # enlightenment slides rotate
    page.screenshot(path=f"{server.app.instance_path}/display.png")
    assert not overflowing(page, "#current > *, #queues li > *, #slide > *"), "cut off on the screen"


def test_display_page_needs_a_display_device(live_server, landscape):
    server = live_server()
    assert landscape.goto(f"{server.url}/display").status == 403


def overflowing(page, selector: str) -> list[str]:
    """Texts of visible elements that stick out of their box or of the screen."""
    return page.evaluate("""(selector) => [...document.querySelectorAll(selector)].filter((el) => {
        if (el.hidden || !el.getClientRects().length) return false;
        const box = el.getBoundingClientRect(), parent = el.parentElement.getBoundingClientRect();
        return box.left < parent.left - 1 || box.right > parent.right + 1 || box.bottom > parent.bottom + 1
            || box.right > innerWidth || box.bottom > innerHeight;
    }).map((el) => el.textContent)""", selector)


def test_a_long_call_and_long_queue_states_stay_on_the_screen(live_server, landscape):
    server = live_server()
    client, staff, desk = open_desk(server.app)
    page = watch(landscape, server)
    # Legal counselling has nobody serving: its row says so at length ("not available now").
    assert "not available now" in page.locator("#queues li", has_text="L ·").inner_text()
    for turn in range(10):                               # more recent calls than the screen has room for
        issue(client, service="residence", language="ru")
        called = client.post(f"/api/v1/counters/{desk}/call-next", headers=staff).json
        if turn < 9:
            client.post(f"/api/v1/tickets/{called['id']}/no-show", headers=staff)
    page.wait_for_function(f"document.getElementById('current-number').textContent === '{called['number']}'")
    page.wait_for_function("!document.getElementById('current').classList.contains('fresh')", timeout=15000)
    assert not overflowing(page, "#current > *, #queues li > *, #slide, #slide > *, #recent li")
    page.screenshot(path=f"{server.app.instance_path}/display-long.png")
    assert page.locator("#recent li").count() >= 3                  # whole rows, as many as fit


# Counts AudioContexts made by the page and records every sound started on them.
AUDIO_PROBE = """
(() => {
  window.audioProbe = { contexts: 0, played: [] };
  const Native = window.AudioContext;
  window.AudioContext = class extends Native {
    constructor(...args) { super(...args); window.audioProbe.contexts += 1; }
  };
  const start = AudioBufferSourceNode.prototype.start;
  AudioBufferSourceNode.prototype.start = function (...args) {
    window.audioProbe.played.push(this.buffer ? this.buffer.duration : 0);
    return start.apply(this, args);
  };
})();
"""


def call_at(client, staff, desk, service="assistance", language="vi"):
    issue(client, service=service, language=language)
    response = client.post(f"/api/v1/counters/{desk}/call-next", headers=staff)
    assert response.status_code == 200, response.json
    return response.json


def test_two_counters_keep_their_numbers_through_six_later_calls_and_speak_them(live_server, landscape):
    server = live_server()
    client = server.app.test_client()
    staff = {name: staff_headers(client, name) for name in ("assistant", "counsellor", "lawyer")}
    desks = {name: counter_id(server.app, "praha-iv", f"Přepážka {n}")
             for n, name in ((1, "assistant"), (2, "counsellor"), (3, "lawyer"))}
    for name, desk in desks.items():
        client.post(f"/api/v1/counters/{desk}/open", headers=staff[name])
    landscape.add_init_script(AUDIO_PROBE)
    audio = []
    landscape.on("response", lambda r: audio.append((r.url, r.status, r.headers.get("content-type")))
                 if "/announcements/" in r.url else None)
    page = watch(landscape, server)
    first = call_at(client, staff["assistant"], desks["assistant"], language="vi")
    second = call_at(client, staff["counsellor"], desks["counsellor"], language="cs")
    for _ in range(6):                     # Přepážka 3 calls and sends away six more visitors
        later = call_at(client, staff["lawyer"], desks["lawyer"], service="residence", language="ru")
        client.post(f"/api/v1/tickets/{later['id']}/no-show", headers=staff["lawyer"])
    calls_on_screen = "document.getElementById('current').innerText + document.getElementById('active').innerText"
    page.wait_for_function(f"document.querySelectorAll('#recent li').length >= 3 && !({calls_on_screen}).includes('R-')")
    on_screen = page.evaluate(calls_on_screen)
    assert first["number"] in on_screen and second["number"] in on_screen
    row = page.locator("#active li", has_text=first["number"])
    assert row.locator(".counter-number").inner_text() == "1"
    assert row.locator(".counter-word").inner_text() == "Přepážka · Quầy"          # cs · vi
    # A reload brings them back: they are in the snapshot, not only in this page's memory.
    page.reload()
    page.wait_for_function("window.okenkoDisplay && window.okenkoDisplay.seq() !== null")
    on_screen = page.evaluate(calls_on_screen)
    assert first["number"] in on_screen and second["number"] in on_screen
    # The first call was announced in Czech and Vietnamese: playable WAV files, played on one context.
    vi_url = f"/api/v1/announcements/vi.wav?number={first['number']}&counter=1"
    assert any(url.endswith(vi_url) and status == 200 and kind == "audio/wav" for url, status, kind in audio)
    client.post(f"/api/v1/tickets/{first['id']}/recall", headers=staff["assistant"])
    page.wait_for_function("window.audioProbe.played.filter((seconds) => seconds >= 1).length >= 2", timeout=20000)
    assert page.evaluate("window.audioProbe.contexts") == 1
    # Started at its counter: it leaves the active calls for the history.
    client.post(f"/api/v1/tickets/{first['id']}/start", headers=staff["assistant"])
    page.wait_for_function(f"!document.getElementById('active').textContent.includes('{first['number']}')"
                           f" && document.getElementById('current-number').textContent !== '{first['number']}'")
    assert page.locator("#recent li", has_text=first["number"]).count() == 1


def contrast(ink: str, paper: str) -> float:
    def luminance(rgb: str) -> float:
        channels = [int(part) / 255 for part in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    light, dark = sorted((luminance(ink), luminance(paper)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_readable_from_five_metres_and_the_flash_keeps_its_contrast(live_server, landscape):
    server = live_server()
    client, staff, desk = open_desk(server.app)
    page = watch(landscape, server)
    for turn in range(3):
        called = call_at(client, staff, desk, service="residence", language="uk")
        if turn < 2:
            client.post(f"/api/v1/tickets/{called['id']}/no-show", headers=staff)
    page.wait_for_function("document.getElementById('current').classList.contains('fresh')"
                           " && document.querySelectorAll('#recent li').length === 2")
    height = page.evaluate("innerHeight")
    sizes = page.evaluate("""[...document.querySelectorAll('#recent li span, #queues li span, #active li span')]
        .map((el) => parseFloat(getComputedStyle(el).fontSize))""")
    assert sizes and min(sizes) >= 0.035 * height
    # Every frame of the 1 Hz flash, sampled every 50 ms: the number and the counter stay ≥ 7:1.
    frames = page.evaluate("""() => {
        const animations = document.getAnimations();
        const out = [];
        for (let ms = 0; ms < 1000; ms += 50) {
          animations.forEach((a) => { a.pause(); a.currentTime = ms; });
          const box = getComputedStyle(document.getElementById('current')).backgroundColor;
          out.push([box, getComputedStyle(document.getElementById('current-number')).color,
                    getComputedStyle(document.getElementById('current-counter')).color]);
        }
        return out;
    }""")
    assert len({frame[0] for frame in frames}) == 2                       # it does flash
    assert min(contrast(ink, box) for box, *inks in frames for ink in inks) >= 7.0


def test_service_names_show_in_czech_and_the_branchs_languages_in_turn(live_server, landscape):
    server = live_server()
    page = watch(landscape, server)
    other = "document.querySelector('#queues li:nth-child(2) .other')"
    seen = []
    for _ in range(3):
        page.wait_for_function(f"{other} && !{seen!r}.includes({other}.lang)", timeout=15000)
        seen.append(page.evaluate(f"{other}.lang"))
    assert page.locator("#queues li").nth(1).locator(".name").first.inner_text() == "R · Pobytové poradenství"
    assert len(set(seen)) == 3 and "cs" not in seen


def test_long_waits_are_shown_in_hours_and_minutes(live_server, landscape):
    server = live_server()
    client, _staff, _desk = open_desk(server.app)        # one desk for Residence (20 min a visit)
    for _ in range(4):
        issue(client, service="residence", language="vi")
    page = watch(landscape, server)
    row = page.locator("#queues li", has_text="Pobytové")
    row.locator(".count", has_text=" h ").wait_for()
    assert re.fullmatch(r"4 · asi 1 h \d{1,2} min", row.locator(".count").inner_text())   # not "asi 80 min"
