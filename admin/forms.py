"""HTML forms ↔ the API's bodies: the pages validate with the same schemas as the JSON API."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from models.hours import DAYS
from okenko.i18n import LANGUAGES


def hours_text(hours: dict[str, list[list[str]]]) -> str:
    """{"mon": [["08:00", "12:00"], …]} → "mon 08:00-12:00 13:00-17:00" lines."""
    return "\n".join(f"{day} " + " ".join(f"{a}-{b}" for a, b in hours[day]) for day in DAYS if hours.get(day))


def parse_hours(text: str) -> dict[str, list[list[str]]]:
    """The reverse of hours_text; what does not parse is left for the schema to refuse with a message."""
    hours: dict[str, list[list[str]]] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        day, *intervals = line.split()
        hours[day.lower()] = [part.split("-", 1) if "-" in part else [part] for part in intervals]
    return hours


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def per_language(form: MultiDict, prefix: str) -> dict[str, str]:
    """Inputs named prefix.<lang>; empty ones are left out (a missing translation)."""
    return {code: form[f"{prefix}.{code}"].strip() for code in LANGUAGES if form.get(f"{prefix}.{code}", "").strip()}


def number(form: MultiDict, name: str) -> int | str | None:
    value = form.get(name, "").strip()
    if not value:
        return None
    return int(value) if value.isdigit() else value  # a non-number is refused by the schema, with its name


def checked(form: MultiDict, name: str) -> bool:
    return form.get(name) in ("on", "yes", "1", "true")


def branch_changes(form: MultiDict) -> dict:
    return _present({
        "names": per_language(form, "names"), "address": form.get("address", "").strip(),
        "timezone": form.get("timezone", "").strip() or None, "languages": form.getlist("languages"),
        "opening_hours": parse_hours(form.get("opening_hours", "")), "closed_days": lines(form.get("closed_days", "")),
        "booking_days": number(form, "booking_days"), "check_in_early_minutes": number(form, "check_in_early_minutes"),
        "appointment_grace_minutes": number(form, "appointment_grace_minutes"),
        "kiosk_outside_hours": checked(form, "kiosk_outside_hours"),
    })


def service_changes(form: MultiDict) -> dict:
    return _present({
        "prefix": form.get("prefix", "").strip().upper() or None, "names": per_language(form, "names"),
        "descriptions": per_language(form, "descriptions"), "what_to_bring": per_language(form, "what_to_bring"),
        "bookable": checked(form, "bookable"), "slot_minutes": number(form, "slot_minutes"),
        "slot_capacity": number(form, "slot_capacity"), "expected_minutes": number(form, "expected_minutes"),
        "sort_order": number(form, "sort_order"), "active": checked(form, "active"),
    })


def counter_changes(form: MultiDict) -> dict:
    return _present({
        "number": number(form, "number"), "name": form.get("name", "").strip() or None,
        "names": per_language(form, "names"), "services": form.getlist("services"),
        "printer": form.get("printer", "").strip(),
    })


def staff_changes(form: MultiDict) -> dict:
    return _present({
        "display_name": form.get("display_name", "").strip(), "role": form.get("role") or None,
        "languages": form.getlist("languages"), "branches": form.getlist("branches"),
    })


def _present(data: dict) -> dict:
    return {key: value for key, value in data.items() if value is not None}
