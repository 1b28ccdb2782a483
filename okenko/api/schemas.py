"""Request bodies (validated) and response shapes (documented) of the JSON API."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask import request
from pydantic import (AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, RootModel, StringConstraints,
                      model_validator)

from models.fields import in_range

from .errors import ApiError

Code = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
Language = Annotated[str, StringConstraints(min_length=2, max_length=8, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")]


class Body(BaseModel):
    # Strict: "5" is not a number and 5 is not a code; unknown fields are typos, not ignored.
    model_config = ConfigDict(extra="forbid", strict=True)


class IssueTicket(Body):
    """A walk-in ticket (service and language), or the check-in of an appointment (its code)."""
    branch: Code
    service: Code | None = None
    language: Language | None = None
    appointment_code: str | None = Field(None, max_length=200, description=(
        "Check in this appointment (its code in any spelling, or its scanned QR link) instead."))
    priority: int = Field(0, ge=0, le=10, description="Staff only: raise for vulnerable clients.")

    @model_validator(mode="after")
    def _walk_in_or_appointment(self):
        if self.appointment_code is None and (self.service is None or self.language is None):
            raise ValueError("give service and language, or appointment_code")
        if self.appointment_code is not None and self.service is not None:
            raise ValueError("give either service or appointment_code, not both")
        return self


class HelpRequestIn(Body):
    branch: Code


class PracticeTicketIn(Body):
    branch: Code
    service: Code
    language: Language


class BookAppointment(Body):
    branch: Code
    service: Code
    language: Language
    start: Annotated[AwareDatetime, Field(strict=False, description="A slot's start, with its UTC offset"),
                     AfterValidator(in_range)]
    contact: str = Field("", max_length=200, description="Optional phone or e-mail; erased after the "
                                                          "retention period")
    referral_ticket: int | None = Field(None, ge=1, description="Staff only: the ticket of the client "
                                                               "being referred (statistics)")


class PrintAtCounter(Body):
    counter: int = Field(ge=1, description="The counter whose printer prints it")


class Rebook(Body):
    start: Annotated[AwareDatetime, Field(strict=False), AfterValidator(in_range)]


class TokenRequest(Body):
    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=200)


class Transfer(Body):
    service: Code
    counter: int | None = Field(None, ge=1, description="Only this counter may call the ticket.")


class Finish(Body):
    topics: list[Code] = Field(default_factory=list, max_length=50,
                               description="Anonymous intervention topics: codes from GET /api/v1/topics")


class Cancel(Body):
    reason: str = Field("", max_length=200)


class PairingStart(Body):
    kind: Literal["kiosk", "display"]


class Empty(Body):
    pass


class OpenCounter(Body):
    languages: list[Language] = Field(default_factory=list, max_length=20)
    force: bool = Field(False, description="Take over a counter another staff member holds.")


def parse_body(model: type[Body]) -> Body:
    """The request's JSON body as `model`; an absent body means {} for models without required fields."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return model.model_validate({})
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "send the body as application/json")
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "malformed_json", "the body is not valid JSON")
    if not isinstance(data, dict):
        raise ApiError(422, "invalid_request", "the body must be a JSON object")
    return model.model_validate(data)


# ---- response shapes (documentation and contract tests) ------------------------------------

class Error(BaseModel):
    error: str
    message: str
    details: dict | None = None


class CounterRef(BaseModel):
    id: int
    name: str = Field(description="staff-facing label")
    number: int = Field(description="the number visitors are sent to")
    names: dict[str, str] = Field(description="the counter's name per language, where it has one")


class TicketTexts(BaseModel):
    """Sentences for the visitor, in the ticket's language."""
    service: str
    status: str
    people_ahead: str | None
    estimated_wait: str | None
    counter: str | None
    appointment: str | None = Field(None, description="when the appointment is, for a checked-in one")


class PrintOut(BaseModel):
    status: str = Field(description="printed, failed or skipped (no printer)")
    error: str | None = Field(description="why it failed, for staff")
    message: str | None = Field(description="what to tell the visitor, in the ticket's language")
    reprint_allowed: bool


class PrinterOut(BaseModel):
    device: str = Field(description="the kiosk")
    branch: str
    printer: str = Field(description="its printer's address (tcp://…, usb://…, none, invalid)")
    state: str = Field(description="online, offline, paper_out, paper_low, unknown, invalid or none")
    detail: str | None = Field(description="what the printer said, when just asked")
    checked_at: datetime | None = Field(description="when the state was learnt; null: never")


class PrinterList(RootModel[list[PrinterOut]]):
    pass


class TicketOut(BaseModel):
    id: int
    number: str = Field(examples=["A-001"])
    token: str
    status: str
    branch: str
    service: str
    service_names: dict[str, str]
    language: str
    priority: int
    position: int | None = Field(description="1 = next in line; null unless waiting")
    people_ahead: int | None
    estimated_wait_minutes: int | None = Field(description="null when no counter serving it is open")
    issued_at: datetime
    called_at: datetime | None
    counter: CounterRef | None
    appointment: bool
    appointment_at: datetime | None = Field(None, description="the appointment's start, if checked in")
    timezone: str = Field(description="the branch's time zone (IANA name): its times are shown in it",
                          examples=["Europe/Prague"])
    status_url: str


class IssuedTicketOut(TicketOut):
    texts: TicketTexts
    print: PrintOut
    appointment_details: AppointmentOut | None = Field(None, description="the checked-in appointment")


class TicketStatusOut(BaseModel):
    number: str
    status: str
    branch: str
    service: str
    service_names: dict[str, str]
    language: str
    position: int | None
    people_ahead: int | None
    estimated_wait_minutes: int | None
    counter: CounterRef | None
    issued_at: datetime
    called_at: datetime | None
    texts: TicketTexts


class ServiceOut(BaseModel):
    code: str
    prefix: str
    names: dict[str, str]
    descriptions: dict[str, str]
    languages: list[str]
    active: bool


class CounterOut(BaseModel):
    id: int
    name: str
    state: str
    services: list[str]


class BranchOut(BaseModel):
    code: str
    names: dict[str, str]
    address: str
    timezone: str
    languages: list[str]
    services: list[ServiceOut]
    counters: list[CounterOut]


class CounterStateOut(BaseModel):
    id: int
    name: str
    state: str
    staff_id: int | None
    languages: list[str]


class TokenOut(BaseModel):
    token: str
    token_type: str = "Bearer"
    expires_in: int
    staff: dict


class Health(BaseModel):
    status: str
    checks: dict[str, str]
    details: dict[str, dict[str, str]] | None = Field(
        None, description="printers: last known state of each kiosk's printer (online, offline, paper_out, …)")


class ActiveCall(BaseModel):
    number: str = Field(examples=["R-009"])
    service: str
    service_names: dict[str, str]
    language: str
    appointment: bool
    counter: CounterRef
    called_at: datetime
    call_count: int = Field(description="1 for the first call, +1 for each recall")
    audio: dict[str, str] = Field(description="language → URL of the spoken announcement (audio/wav)")


class Snapshot(BaseModel):
    branch: dict
    seq: int = Field(description="Sequence number of the last event this snapshot includes")
    service_day: str
    generated_at: datetime
    current: list[dict]
    active_calls: list[ActiveCall] = Field(
        description="one entry per counter with a called ticket, until the visitor is started, marked "
                    "no-show or cancelled; newest call first")
    recent: list[dict]
    services: list[dict]
    slides: list[dict] = Field(description="enlightenment slides valid now, in showing order")
    slides_change_at: datetime = Field(description="when the slides valid change by themselves (a time window "
                                                   "opens or closes, or the day ends): ask for a snapshot then")


class BranchList(RootModel[list[BranchOut]]):
    pass


class SlotOut(BaseModel):
    start: datetime
    end: datetime
    capacity: int
    free: int


class SlotList(RootModel[list[SlotOut]]):
    pass


class BookingDay(BaseModel):
    date: str
    free: int


class BookingDayList(RootModel[list[BookingDay]]):
    pass


class AppointmentOut(BaseModel):
    code: str = Field(description="8 characters without look-alikes; `display_code` groups them")
    display_code: str = Field(examples=["ACDE-FH34"])
    status: str = Field(description="booked, checked_in, served, no_show or cancelled")
    branch: str
    branch_names: dict[str, str]
    branch_address: str
    timezone: str
    service: str
    service_names: dict[str, str]
    language: str
    start: datetime
    end: datetime
    check_in_from: datetime
    check_in_until: datetime
    referral: bool
    has_contact: bool
    contact: str | None = Field(None, description="staff only")
    ticket: dict | None = Field(None, description="number and status_url once checked in")
    url: str = Field(description="the visitor's page: view, cancel, rebook; the QR holds it")
    ics_url: str


class AppointmentList(RootModel[list[AppointmentOut]]):
    pass


IssuedTicketOut.model_rebuild()


class PairingOut(BaseModel):
    code: str | None = Field(None, description="The code the screen shows (when asked for one)")
    paired: bool
    url: str | None = Field(None, description="The page to reload into, once paired")
