"""Bodies and shapes of the administration API. Validation gives 422 with the field named:
unknown languages, time zones, malformed hours; conflicts (duplicate codes) are 409 from models."""
from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, Field, RootModel, StringConstraints

from models.hours import DAYS
from .schemas import Body, Code
from ..i18n import LANGUAGES

TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def _language(code: str) -> str:
    if code not in LANGUAGES:
        raise ValueError(f"unknown language '{code}' (known: {', '.join(LANGUAGES)})")
    return code


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone '{name}'") from None
    return name


def _hours(value: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
    for day, intervals in value.items():
        if day not in DAYS:
            raise ValueError(f"unknown day '{day}' (use {', '.join(DAYS)})")
        previous_end = ""
        for interval in intervals:
            if len(interval) != 2 or not all(TIME.match(t) for t in interval):
                raise ValueError(f"{day}: each interval is [\"HH:MM\", \"HH:MM\"]")
            start, end = interval
            if start >= end or start < previous_end:
                raise ValueError(f"{day}: intervals must be in order and not overlap ({start}–{end})")
            previous_end = end
    return {day: value[day] for day in DAYS if value.get(day)}


def _closed_day(text: str) -> str:
    try:
        date.fromisoformat(text if len(text) == 10 else f"2024-{text}")  # 2024: 02-29 exists
    except ValueError:
        raise ValueError(f"'{text}' is not YYYY-MM-DD (once) or MM-DD (every year)") from None
    return text


Language = Annotated[str, AfterValidator(_language)]
Timezone = Annotated[str, AfterValidator(_timezone)]
Text = Annotated[str, StringConstraints(max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=1000)]
Names = Annotated[dict[Language, Text], Field(max_length=len(LANGUAGES))]
Hours = Annotated[dict[str, list[list[str]]], AfterValidator(_hours)]
ClosedDay = Annotated[str, StringConstraints(pattern=r"^(\d{4}-)?\d{2}-\d{2}$"), AfterValidator(_closed_day)]
Username = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.@-]+$")]
Password = Annotated[str, StringConstraints(min_length=10, max_length=200)]
Role = Literal["admin", "coordinator", "counsellor", "interpreter", "receptionist"]
Kind = Literal["kiosk", "display"]
Printer = Annotated[str, StringConstraints(max_length=200)]


class BranchChange(Body):
    name: Text | None = Field(None, description="Shortcut for names.cs")
    names: Names | None = None
    address: Text | None = None
    timezone: Timezone | None = None
    languages: list[Language] | None = Field(None, description="Languages offered at the kiosk")
    opening_hours: Hours | None = Field(None, description='{"mon": [["08:00", "12:00"], ["13:00", "17:00"]]}')
    closed_days: list[ClosedDay] | None = Field(None, max_length=400)
    booking_days: int | None = Field(None, ge=0, le=366)
    check_in_early_minutes: int | None = Field(None, ge=0, le=480)
    appointment_grace_minutes: int | None = Field(None, ge=0, le=480)
    kiosk_outside_hours: bool | None = None

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True, exclude_none=True)


class BranchCreate(BranchChange):
    code: Code


class ServiceChange(Body):
    prefix: Annotated[str, StringConstraints(min_length=1, max_length=3, pattern=r"^[A-Z0-9]+$")] | None = None
    names: Names | None = None
    descriptions: Annotated[dict[Language, Text], Field(max_length=len(LANGUAGES))] | None = None
    what_to_bring: Annotated[dict[Language, LongText], Field(max_length=len(LANGUAGES))] | None = None
    languages: list[Language] | None = None
    priority: int | None = Field(None, ge=0, le=10)
    expected_minutes: int | None = Field(None, ge=1, le=480)
    needs_language_match: bool | None = None
    bookable: bool | None = None
    slot_minutes: int | None = Field(None, ge=5, le=480)
    slot_capacity: int | None = Field(None, ge=1, le=50)
    sort_order: int | None = Field(None, ge=0, le=1000, description="Order on the kiosk")
    active: bool | None = None

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True, exclude_none=True)


class ServiceCreate(ServiceChange):
    code: Code
    prefix: Annotated[str, StringConstraints(min_length=1, max_length=3, pattern=r"^[A-Z0-9]+$")]


class CounterChange(Body):
    number: int | None = Field(None, ge=1, le=999)
    name: Annotated[str, StringConstraints(min_length=1, max_length=60)] | None = Field(
        None, description="Staff-facing label; defaults to the number")
    names: Names | None = None
    services: list[Code] | None = None
    printer: Printer | None = None
    sort_order: int | None = Field(None, ge=0, le=1000)

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True, exclude_none=True)


class CounterCreate(CounterChange):
    number: int = Field(ge=1, le=999)


class DeviceCreate(Body):
    kind: Kind
    name: Annotated[str, StringConstraints(min_length=1, max_length=60)]


class DevicePair(DeviceCreate):
    code: Annotated[str, StringConstraints(min_length=4, max_length=20)]


class DeviceChange(Body):
    name: Annotated[str, StringConstraints(min_length=1, max_length=60)] | None = None
    branch: Code | None = Field(None, description="Move the device to this branch")
    printer: Printer | None = None
    idle_seconds: int | None = Field(None, ge=20, le=600, description="A kiosk's time without a touch before it "
                                     "asks \"Are you still there?\" (doubled while reading aloud)")
    chime: bool | None = Field(None, description="A display: chime before each call")
    speech: bool | None = Field(None, description="A display: announce each call aloud")
    volume: int | None = Field(None, ge=0, le=100, description="A display: loudness, 0–100 %")
    spoken_languages: list[Language] | None = Field(
        None, max_length=len(LANGUAGES), description="A display: languages announced; [] for Czech and the ticket's")

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True, exclude_none=True)


class StaffChange(Body):
    display_name: Text | None = None
    role: Role | None = None
    languages: list[Language] | None = None
    ui_language: Literal["cs", "en"] | None = None
    branches: list[Code] | None = None
    active: bool | None = None

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True, exclude_none=True)


class StaffCreate(StaffChange):
    username: Username
    password: Password | None = Field(None, description="Omitted: one is generated and returned once")
    role: Role


class PasswordReset(Body):
    password: Password | None = Field(None, description="Omitted: one is generated and returned once")


class TopicChange(Body):
    names: Names | None = None
    sort_order: int | None = Field(None, ge=0, le=1000)
    active: bool | None = None

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True, exclude_none=True)


class TopicCreate(TopicChange):
    code: Code


# ---- responses -----------------------------------------------------------------------------------

class BranchSettings(BaseModel):
    code: str
    name: str
    names: dict[str, str]
    address: str
    timezone: str
    languages: list[str]
    opening_hours: dict[str, list[list[str]]]
    closed_days: list[str]
    booking_days: int
    check_in_early_minutes: int
    appointment_grace_minutes: int
    kiosk_outside_hours: bool


class BranchSettingsList(RootModel[list[BranchSettings]]):
    pass


class ServiceSettings(BaseModel):
    code: str
    prefix: str
    names: dict[str, str]
    descriptions: dict[str, str]
    what_to_bring: dict[str, str]
    languages: list[str]
    priority: int
    expected_minutes: int
    needs_language_match: bool
    bookable: bool
    slot_minutes: int
    slot_capacity: int
    sort_order: int
    active: bool
    missing_translations: list[str] = Field(description="Branch languages without a name or description")


class ServiceSettingsList(RootModel[list[ServiceSettings]]):
    pass


class CounterSettings(BaseModel):
    id: int
    number: int
    name: str
    names: dict[str, str]
    services: list[str]
    printer: str
    sort_order: int
    active: bool


class CounterSettingsList(RootModel[list[CounterSettings]]):
    pass


class DeviceOut(BaseModel):
    id: int
    branch: str
    kind: str
    name: str
    printer: str
    printer_state: str | None
    printer_checked_at: str | None
    last_seen_at: str | None
    created_at: str | None
    active: bool
    idle_seconds: int = Field(description="kiosks: seconds without a touch before \"Are you still there?\"")
    sound: dict | None = Field(None, description="displays: {chime, speech, volume, spoken_languages}")
    token: str | None = Field(None, description="Only once, when created through the API")


class DeviceList(RootModel[list[DeviceOut]]):
    pass


class StaffOut(BaseModel):
    username: str
    display_name: str
    role: str
    languages: list[str]
    ui_language: str
    active: bool
    branches: list[str]
    password: str | None = Field(None, description="Only once, when the server generated it")


class StaffList(RootModel[list[StaffOut]]):
    pass


class TopicOut(BaseModel):
    code: str
    names: dict[str, str]
    sort_order: int
    active: bool


class TopicList(RootModel[list[TopicOut]]):
    pass


class Removed(BaseModel):
    outcome: Literal["deleted", "retired", "revoked"]


class AuditOut(BaseModel):
    at: str
    actor: str
    action: str
    target: str
    changes: dict


class AuditList(RootModel[list[AuditOut]]):
    pass


def _clock(text: str) -> str:
    if text and not TIME.match(text):
        raise ValueError(f"'{text}' is not HH:MM")
    return text


Clock = Annotated[str, AfterValidator(_clock)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class SlideChange(Body):
    language: Literal["", "cs", "ru", "vi", "mn", "en", "fr", "uk", "ar"] | None = Field(
        None, description='The language it is in; "" for every language')
    title: Annotated[str, StringConstraints(max_length=200)] | None = None
    body: Annotated[str, StringConstraints(max_length=2000)] | None = Field(
        None, description="Plain text; a blank line starts a new paragraph")
    duration_s: int | None = Field(None, ge=3, le=300)
    valid_from: Annotated[date, Field(strict=False)] | None = None
    valid_until: Annotated[date, Field(strict=False)] | None = None
    weekdays: list[Weekday] | None = Field(None, description="Empty: every day")
    time_from: Clock | None = Field(None, description='Local "HH:MM"; empty: from the start of the day')
    time_until: Clock | None = Field(None, description='Local "HH:MM"; empty: until the end of the day')
    sort_order: int | None = Field(None, ge=0, le=1000)
    active: bool | None = None

    def changes(self) -> dict:
        # Dates may be cleared with null; other fields keep their value when null.
        return {k: v for k, v in self.model_dump(exclude_unset=True, exclude={"branch"}).items()
                if v is not None or k in ("valid_from", "valid_until")}


class SlideCreate(SlideChange):
    branch: Code | None = Field(None, description="null: every branch")
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class SlideOut(BaseModel):
    id: int
    branch: str | None
    language: str
    title: str
    body: str
    image_url: str
    duration_s: int
    valid_from: str | None
    valid_until: str | None
    weekdays: list[str]
    time_from: str
    time_until: str
    sort_order: int
    active: bool


class SlideList(RootModel[list[SlideOut]]):
    pass
