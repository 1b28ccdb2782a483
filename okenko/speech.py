"""Offline speech: text in a language → a WAV file, synthesized on this server and cached on disk.

Displays and kiosks play files, so they need no voices of their own (a Linux television has none).
The default engine is espeak-ng (Debian package `espeak-ng`: cs, ru, uk, vi, fr, ar, en). A voice that
sounds better can be configured per language where it is installed (setting `speech_voices`,
e.g. "cs=rhvoice:zdenek;ru=festival:voice_msu_ru_nsh_clunits"). Mongolian has no voice in any of these
engines: `voice_for("mn")` answers None and callers fall back (see okenko/announcements.py).

Synthesis runs in a child process with a deadline. Under the gevent worker `subprocess` is
cooperative, so a slow or hung synthesizer never blocks the event loop; the cache file appears
atomically (written aside, then renamed), so concurrent requests never read half a file.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# espeak-ng's voice per visitor language; "mn" is missing on purpose (no Mongolian voice exists).
ESPEAK_VOICES = {"cs": "cs", "ru": "ru", "uk": "uk", "vi": "vi", "fr": "fr", "ar": "ar", "en": "en"}
ENGINES = ("espeak-ng", "rhvoice", "festival")
# Announcements are heard across a room: a little slower than espeak-ng's 175 words a minute.
WORDS_PER_MINUTE = 140
MAX_TEXT = 400
CACHE_FILES = 5000          # ~60 KB each
EXTENSION = "okenko.speech"


class SpeechError(RuntimeError):
    """No voice, no synthesizer, or it failed or took too long."""


@dataclass(frozen=True)
class Voice:
    engine: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.engine}:{self.name}"


def parse_voices(setting: str) -> dict[str, Voice]:
    """'cs=rhvoice:zdenek;vi=espeak-ng:vi' → {language: Voice}; malformed entries are an error."""
    voices = {}
    for entry in filter(None, (part.strip() for part in setting.split(";"))):
        language, _, spec = entry.partition("=")
        engine, _, name = spec.partition(":")
        if not language.strip() or engine.strip() not in ENGINES or not name.strip():
            raise ValueError(f"speech_voices: '{entry}' is not LANGUAGE=ENGINE:VOICE with ENGINE one of {ENGINES}")
        voices[language.strip()] = Voice(engine.strip(), name.strip())
    return voices


class Speech:
    """Voices per language and the on-disk cache (instance folder/speech), keyed by text + voice."""

    def __init__(self, cache_dir: Path, voices: str = "", timeout_s: float = 10.0):
        self.cache_dir = Path(cache_dir)
        self.timeout_s = timeout_s
        self._voices = {language: Voice("espeak-ng", name) for language, name in ESPEAK_VOICES.items()}
        self._voices.update(parse_voices(voices))

    def voice_for(self, language: str) -> Voice | None:
        voice = self._voices.get(language)
        return voice if voice and _installed(voice.engine) else None

    def speak(self, text: str, language: str, on_miss: Callable[[], None] = lambda: None) -> Path:
        """The WAV file saying `text` in `language` (synthesized once, then from the cache).
        `on_miss` runs before a synthesis: it may refuse by raising (a budget of new texts)."""
        text = " ".join(text.split())[:MAX_TEXT]
        voice = self.voice_for(language)
        if voice is None or not text:
            raise SpeechError(f"no voice for '{language}'")
        digest = hashlib.sha256(f"{voice.key}\n{text}".encode()).hexdigest()
        path = self.cache_dir / f"{digest}.wav"
        try:
            os.utime(path)                  # used now: the trim keeps what is used
        except FileNotFoundError:
            on_miss()
            self._synthesize(text, voice, path)
            self._trim()
        return path

    def _trim(self) -> None:
        """Keep the cache bounded: past CACHE_FILES, the files least recently used go (a day's
        announcements of a busy office are a few hundred). Best effort: another process may be
        trimming at the same time."""
        try:
            dated = [(file.stat().st_mtime, file) for file in self.cache_dir.glob("*.wav")]
        except OSError:
            return
        if len(dated) <= CACHE_FILES:
            return
        for _mtime, file in sorted(dated)[:len(dated) - CACHE_FILES]:
            try:
                file.unlink(missing_ok=True)
            except OSError:
                pass

    def _synthesize(self, text: str, voice: Voice, path: Path) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(suffix=".part", dir=self.cache_dir)
        os.close(handle)
        try:
            subprocess.run(_command(voice, partial), input=text.encode(), capture_output=True,
                           timeout=self.timeout_s, check=True)
            if os.path.getsize(partial) <= 44:   # a bare WAV header: the engine said nothing
                raise SpeechError(f"{voice.key} produced no audio")
            os.replace(partial, path)
        except subprocess.TimeoutExpired:
            raise SpeechError(f"{voice.key} took longer than {self.timeout_s:g} s") from None
        except (OSError, subprocess.CalledProcessError) as exc:
            log.warning("speech synthesis with %s failed: %s", voice.key, exc)
            raise SpeechError(f"{voice.key} failed") from None
        finally:
            if os.path.exists(partial):
                os.unlink(partial)


def speech() -> Speech:
    """This app's speech, made on first use from its settings."""
    from flask import current_app

    from .runtime import runtime
    made = current_app.extensions.get(EXTENSION)
    if made is None:
        settings = runtime().settings
        made = current_app.extensions[EXTENSION] = Speech(
            Path(settings.instance_path) / "speech", settings.speech_voices, settings.speech_timeout_s)
    return made


def _command(voice: Voice, out: str) -> list[str]:
    """The engine's command line; the text always goes through stdin (never a shell)."""
    if voice.engine == "rhvoice":
        return ["RHVoice-test", "-p", voice.name, "-o", out]
    if voice.engine == "festival":
        return ["text2wave", "-eval", f"({voice.name})", "-o", out]
    return ["espeak-ng", "-v", voice.name, "-s", str(WORDS_PER_MINUTE), "-w", out, "--stdin"]


def _installed(engine: str) -> bool:
    program = {"espeak-ng": "espeak-ng", "rhvoice": "RHVoice-test", "festival": "text2wave"}[engine]
    return shutil.which(program) is not None
