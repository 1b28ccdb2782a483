"""Settings: defaults → optional TOML file → OKENKO_* environment variables.

The TOML file is the one named by OKENKO_CONFIG, else `okenko.toml` in the
instance folder when it exists. Keys are the field names below in lower case
(`database_url = "…"`); environment variables are the same names upper-cased
with the OKENKO_ prefix (`OKENKO_DATABASE_URL`).
"""
from __future__ import annotations

import dataclasses
import os
import secrets
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

ENV_PREFIX = "OKENKO_"


class SettingsError(ValueError):
    """A configuration value is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    instance_path: str = field(default_factory=lambda: str(Path.cwd() / "instance"))
    # Empty means the embedded default: an SQLite file in the instance folder.
    database_url: str = ""
    secret_key: str = ""
    # redis://… when several server processes must reach each other's sockets.
    message_queue: str = ""
    # Redis channel of that queue: processes of one installation share it, others must not.
    message_queue_channel: str = "okenko"
    # Reverse proxies in front (nginx: 1) whose X-Forwarded-* headers are trusted.
    proxies: int = 0
    timezone: str = "Europe/Prague"
    # Base of links printed on tickets (QR); empty: taken from the request.
    public_url: str = ""
    max_body_bytes: int = 64 * 1024
    staff_token_max_age_s: int = 12 * 3600
    log_level: str = "INFO"
    # Echo SQL statements (debugging only).
    sql_echo: bool = False
    # Default printer of kiosks that have none of their own: tcp://HOST:PORT, usb://VID:PID,
    # serial:///dev/ttyUSB0, file:///PATH or none (see printers/address.py).
    printer: str = "none"
    # Printing never holds a kiosk longer than this.
    print_timeout_s: float = 3.0
    # An appointment's optional contact (phone, e-mail) is erased this long after the appointment.
    contact_retention_days: int = 30
    # How often a server process marks missed appointments as no-shows (0: never; use the CLI).
    appointment_sweep_s: int = 60
    # Requests one server process works on at once; past it, 503 with Retry-After (0: no limit).
    # Public booking traffic may take half of it (okenko/shedding.py).
    max_in_flight: int = 64
    # Spoken announcements (okenko/speech.py): better voices where installed, per language,
    # "cs=rhvoice:zdenek;ru=festival:voice_msu_ru_nsh_clunits"; others use espeak-ng.
    speech_voices: str = ""
    # A synthesizer that takes longer is given up on (the display then plays the chime alone).
    speech_timeout_s: float = 10.0
    # The phone page says "your turn is near" from this many people ahead.
    turn_near_at: int = 3
    # Booking appointments, per client address (Flask-Limiter syntax).
    booking_rate_limit: str = "10 per minute;30 per hour"
    # Raw events older than this are purged once their days' statistics are stored (3 years).
    event_retention_days: int = 3 * 365
    # Interventions (served tickets) a branch should reach in a year: the funder report's target.
    yearly_target: int = 3500

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.instance_path) / 'okenko.db'}"

    def with_overrides(self, **values) -> "Settings":
        return dataclasses.replace(self, **values)


def load_settings(env: dict[str, str] | None = None, **overrides) -> Settings:
    """Build the settings from the three layers, then explicit overrides (tests)."""
    env = dict(os.environ if env is None else env)
    values: dict[str, object] = {}
    instance = env.get(ENV_PREFIX + "INSTANCE_PATH") or overrides.get("instance_path")
    toml_path = env.get(ENV_PREFIX + "CONFIG") or (
        str(Path(instance) / "okenko.toml") if instance else str(Path.cwd() / "instance" / "okenko.toml")
    )
    if Path(toml_path).is_file():
        values.update(_read_toml(Path(toml_path)))
    elif env.get(ENV_PREFIX + "CONFIG"):
        raise SettingsError(f"OKENKO_CONFIG names {toml_path}, which does not exist")
    values.update(_read_env(env))
    values.update(overrides)
    settings = Settings(**values)
    if not settings.secret_key:
        settings = settings.with_overrides(secret_key=_instance_secret(Path(settings.instance_path)))
    return settings


def _known_fields() -> dict[str, type]:
    return {f.name: f.type for f in fields(Settings)}


def _read_toml(path: Path) -> dict[str, object]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: {exc}") from exc
    known = _known_fields()
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise SettingsError(f"{path}: unknown setting(s): {', '.join(unknown)}")
    return {key: _coerce(key, value, known[key]) for key, value in data.items()}


def _read_env(env: dict[str, str]) -> dict[str, object]:
    known = _known_fields()
    values = {}
    for name, kind in known.items():
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None:
            values[name] = _coerce(name, raw, kind)
    return values


def _coerce(name: str, value: object, kind: str) -> object:
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            return str(value).strip().lower() in {"1", "true", "yes", "on"}
        return str(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"setting {name}: expected {kind}, got {value!r}") from exc


def _instance_secret(instance: Path) -> str:
    """A secret key kept in the instance folder, so restarts and workers agree."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process wrote it first
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip()
