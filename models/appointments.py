"""Appointments: free slots, booking, cancelling and rebooking by code, check-in at a kiosk, and the
sweep that turns missed appointments into no-shows and erases contacts after the retention period.

Each change is one transaction of the queue engine (same event log, same after-commit publishing).
A slot's places are counted in `slot_booking` and taken with one conditional upsert, so the last
place goes to exactly one of two visitors booking at the same moment, on SQLite and PostgreSQL.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .codes import new_code, normalize_code
from .engine import QueueEngine, UnitOfWork, check_language, issue_in
from .errors import Conflict, IllegalTransition, InvalidInput, NotFound
from .fields import fit
from .numbering import service_day, zone
from .org import Branch, Service
from .queue import Appointment, AppointmentStatus, SlotBooking, Ticket
from .slot_cache import SlotCache
from .slots import Slot, day_slots, local_date
from .views import TicketView


class SlotFull(Conflict):
    code = "slot_full"


class CheckInRefused(Conflict):
    """The appointment exists but cannot be checked in here and now; `reason` says why:
    wrong_branch, cancelled, already_checked_in, not_today, too_early, too_late."""

    code = "check_in_refused"

    def __init__(self, reason: str, message: str, **details):
        super().__init__(message, reason=reason, **details)
        self.reason = reason


@dataclass(frozen=True)
class AppointmentView:
    id: int
    code: str
    status: str
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
    contact: str
    # {"number", "token"} of its ticket once checked in.
    ticket: dict | None = None
    # What to bring, per language (the service's setting).
    what_to_bring: dict[str, str] = field(default_factory=dict)
    # How often it was moved or cancelled (the calendar file's SEQUENCE).
    revision: int = 0


class AppointmentBook:
    def __init__(self, engine: QueueEngine, contact_retention: timedelta = timedelta(days=30),
                 slot_cache: SlotCache | None = None):
        self.engine = engine
        self.contact_retention = contact_retention
        self.slot_cache = slot_cache or SlotCache()

    # ---- slots -----------------------------------------------------------------------------

    def slots(self, branch_code: str, service_code: str, day: date) -> list[dict]:
        """The day's slots that have not started yet: start, end, capacity and free places."""
        now = self.engine.clock()
        _, slots = self._free_slots(branch_code, service_code, (day,), now)
        return [dict(slot) for slot in slots if slot["start"] > now]

    def days(self, branch_code: str, service_code: str) -> list[dict]:
        """Bookable days from today to the branch's horizon, with their free places."""
        now = self.engine.clock()
        timezone, slots = self._free_slots(branch_code, service_code, None, now)
        by_day: dict[date, int] = {}
        for slot in slots:
            if slot["start"] > now:
                day = local_date(slot["start"], timezone)
                by_day[day] = by_day.get(day, 0) + slot["free"]
        return [{"date": day, "free": free} for day, free in by_day.items()]

    def next_start(self, branch_code: str, service_code: str, after: datetime | None = None) -> datetime | None:
        """When the first slot up to the horizon that starts after `after` (default: now) begins:
        until then (or a booking, which bumps the slot cache's generation) days and slots read at
        `after` stay true."""
        now = after or self.engine.clock()
        _, slots = self._free_slots(branch_code, service_code, None, now)
        return min((slot["start"] for slot in slots if slot["start"] > now), default=None)

    def _free_slots(self, branch_code: str, service_code: str, days: tuple[date, ...] | None,
                    now: datetime) -> tuple[str, list[dict]]:
        """(branch time zone, slots starting after `now` on `days` or up to the horizon), from the
        slot cache. A cached list holds slots that started after it was computed: callers filter by
        their own `now` again, which only ever removes slots."""
        def compute() -> tuple[str, list[dict]]:
            with self.engine.read() as session:
                service = _bookable_service(session, branch_code, service_code)
                timezone = service.branch.timezone
                if days is None:
                    today = service_day(timezone, now)
                    wanted = [today + timedelta(days=n) for n in range(service.branch.booking_days + 1)]
                else:
                    wanted = list(days)
                return timezone, _free_slots(session, service, wanted, now)
        scope = (branch_code, service_code)
        # The UTC date in the key: a new day's horizon is read fresh (the entry's time-to-live does the rest).
        return self.slot_cache.get(scope, (*scope, days, now.date()), compute)

    # ---- booking ---------------------------------------------------------------------------

    def book(self, branch_code: str, service_code: str, language: str, start: datetime, *,
             contact: str = "", referral_ticket_id: int | None = None,
             staff_id: int | None = None) -> AppointmentView:
        with self.engine.transaction() as work:
            service = _bookable_service(work.session, branch_code, service_code)
            check_language(service.code, service.languages or service.branch.languages, language)
            slot = _slot_at(service, start, work.now)
            _take_place(work.session, service, slot.start)
            appointment = Appointment(
                code=_unused_code(work.session), branch_id=service.branch_id, service_id=service.id,
                language=language, start=slot.start, end=slot.end, status=AppointmentStatus.BOOKED.value,
                contact=fit(contact.strip(), Appointment.contact), referral_ticket_id=referral_ticket_id, created_at=work.now)
            work.session.add(appointment)
            work.session.flush()
            _record(work, "appointment.booked", appointment, staff_id, start=slot.start.isoformat(),
                    referral=referral_ticket_id is not None)
            view = _view(appointment)
        self.slot_cache.invalidate((branch_code, service_code))
        return view

    def get(self, text: str) -> AppointmentView:
        with self.engine.read() as session:
            return _view(_appointment(session, text))

    def cancel(self, text: str, *, staff_id: int | None = None) -> AppointmentView:
        with self.engine.transaction() as work:
            appointment = _appointment(work.session, text, lock=True)
            _require_booked(appointment, "cancelled")
            appointment.status = AppointmentStatus.CANCELLED.value
            appointment.revision += 1
            _release_place(work.session, appointment)
            _record(work, "appointment.cancelled", appointment, staff_id)
            view, scope = _view(appointment), _cache_scope(appointment)
        self.slot_cache.invalidate(scope)
        return view

    def rebook(self, text: str, start: datetime, *, staff_id: int | None = None) -> AppointmentView:
        """Move a booked appointment to another slot of the same service; the code stays."""
        with self.engine.transaction() as work:
            appointment = _appointment(work.session, text, lock=True)
            _require_booked(appointment, "moved")
            slot = _slot_at(appointment.service, start, work.now)
            if slot.start != appointment.start:
                _take_place(work.session, appointment.service, slot.start)
                _release_place(work.session, appointment)
                previous = appointment.start
                appointment.start, appointment.end = slot.start, slot.end
                appointment.revision += 1
                _record(work, "appointment.rebooked", appointment, staff_id,
                        start=slot.start.isoformat(), previous=previous.isoformat())
            view, scope = _view(appointment), _cache_scope(appointment)
        self.slot_cache.invalidate(scope)
        return view

    # ---- check-in and the sweep ------------------------------------------------------------

    def check_in(self, branch_code: str, text: str, *, device_id: int | None = None,
                 staff_id: int | None = None) -> tuple[AppointmentView, TicketView]:
        """Check the appointment in and issue its ticket, due at the appointment's start."""
        with self.engine.transaction() as work:
            appointment = _appointment(work.session, text, lock=True)
            _check_in_allowed(work.session, appointment, branch_code, work.now)
            ticket = issue_in(work, appointment.branch.code, appointment.service.code, appointment.language,
                              device_id=device_id, staff_id=staff_id, due_at=appointment.start,
                              appointment_id=appointment.id)
            appointment.status = AppointmentStatus.CHECKED_IN.value
            appointment.checked_in_at = work.now
            _record(work, "appointment.checked_in", appointment, staff_id, ticket_number=ticket.number,
                    late_s=max(int((work.now - appointment.start).total_seconds()), 0))
            return _view(appointment, {"number": ticket.number, "token": ticket.token}), ticket

    def sweep(self) -> dict[str, int]:
        """Booked appointments whose check-in window has closed become no-shows; contacts older
        than the retention period are erased. Idempotent: any process may run it any time."""
        with self.engine.transaction() as work:
            missed = work.session.execute(
                select(Appointment).join(Branch).where(
                    Appointment.status == AppointmentStatus.BOOKED.value, Appointment.start < work.now)
                .with_for_update(of=Appointment)
            ).scalars().all()
            missed = [a for a in missed if _window(a)[1] < work.now]
            for appointment in missed:
                appointment.status = AppointmentStatus.NO_SHOW.value
                _record(work, "appointment.no_show", appointment, None)
            erased = work.session.execute(
                update(Appointment).where(Appointment.contact != "",
                                          Appointment.end < work.now - self.contact_retention)
                .values(contact="")
            ).rowcount
        return {"no_show": len(missed), "contacts_erased": erased}

    # ---- staff ----------------------------------------------------------------------------

    def day_list(self, branch_code: str, day: date, service_code: str | None = None) -> list[AppointmentView]:
        """A branch's appointments on one local day, by start time (staff only: includes contacts)."""
        with self.engine.read() as session:
            branch = _branch(session, branch_code)
            first = datetime.combine(day, datetime.min.time(), tzinfo=zone(branch.timezone)).astimezone(UTC)
            query = (select(Appointment).where(Appointment.branch_id == branch.id, Appointment.start >= first,
                                               Appointment.start < first + timedelta(hours=26))
                     .order_by(Appointment.start, Appointment.id))
            if service_code:
                query = query.join(Service).where(Service.code == service_code)
            found = session.execute(query).scalars().all()
            tickets = _tickets_of(session, [a.id for a in found])
            return [_view(a, tickets.get(a.id)) for a in found
                    if local_date(a.start, branch.timezone) == day]


# ---- helpers (inside the caller's session) ------------------------------------------------------

def _cache_scope(appointment: Appointment) -> tuple[str, str]:
    """What the slot cache keys an appointment's slots by: the codes the public reads use."""
    return appointment.branch.code, appointment.service.code


def _place_statement(insert):
    table = SlotBooking.__table__
    return (
        insert(table)
        .values(branch_id=bindparam("branch_id"), service_id=bindparam("service_id"),
                start=bindparam("start"), booked=1)
        .on_conflict_do_update(index_elements=[table.c.branch_id, table.c.service_id, table.c.start],
                               set_={"booked": table.c.booked + 1},
                               where=table.c.booked < bindparam("capacity"))
        .returning(table.c.booked)
    )


TAKE_PLACE = {"postgresql": _place_statement(postgresql.insert), "sqlite": _place_statement(sqlite.insert)}


def _take_place(session: Session, service: Service, start: datetime) -> None:
    connection = session.connection()
    taken = connection.execute(TAKE_PLACE[connection.dialect.name], {
        "branch_id": service.branch_id, "service_id": service.id, "start": start,
        "capacity": service.slot_capacity}).first()
    if taken is None:
        raise SlotFull("this slot is fully booked; choose another one", field="start")


def _release_place(session: Session, appointment: Appointment) -> None:
    table = SlotBooking.__table__
    session.execute(update(table).where(
        table.c.branch_id == appointment.branch_id, table.c.service_id == appointment.service_id,
        table.c.start == appointment.start, table.c.booked > 0).values(booked=table.c.booked - 1))


def _free_slots(session: Session, service: Service, days: list[date], now: datetime) -> list[dict]:
    branch = service.branch
    last_day = service_day(branch.timezone, now) + timedelta(days=branch.booking_days)
    slots: list[Slot] = [slot for day in days if day <= last_day
                         for slot in day_slots(branch.opening_hours, branch.timezone, day, service.slot_minutes,
                                               branch.closed_days) if slot.start > now]
    if not slots:
        return []
    booked = dict(session.execute(
        select(SlotBooking.start, SlotBooking.booked).where(
            SlotBooking.branch_id == branch.id, SlotBooking.service_id == service.id,
            SlotBooking.start >= slots[0].start, SlotBooking.start <= slots[-1].start)
    ).all())
    capacity = service.slot_capacity
    return [{"start": slot.start, "end": slot.end, "capacity": capacity,
             "free": max(capacity - booked.get(slot.start, 0), 0)} for slot in slots]


def _slot_at(service: Service, start: datetime, now: datetime) -> Slot:
    if start.tzinfo is None:
        raise InvalidInput("give the start with its UTC offset, e.g. 2026-11-24T09:30:00+01:00", field="start")
    start = start.astimezone(UTC)
    branch = service.branch
    day = local_date(start, branch.timezone)
    if start <= now:
        raise InvalidInput("this slot has already begun; choose a later one", field="start")
    if day > service_day(branch.timezone, now) + timedelta(days=branch.booking_days):
        raise InvalidInput(f"appointments can be booked at most {branch.booking_days} days ahead", field="start")
    for slot in day_slots(branch.opening_hours, branch.timezone, day, service.slot_minutes, branch.closed_days):
        if slot.start == start:
            return slot
    raise InvalidInput("no appointment slot starts at this time; ask for the day's slots", field="start")


def _check_in_allowed(session: Session, appointment: Appointment, branch_code: str, now: datetime) -> None:
    branch = appointment.branch
    if branch.code != branch_code:
        raise CheckInRefused("wrong_branch", f"this appointment is at another branch: {branch.name('cs')}",
                             branch=branch.code, branch_names=dict(branch.names), address=branch.address)
    status = appointment.status
    if status == AppointmentStatus.CANCELLED:
        raise CheckInRefused("cancelled", "this appointment was cancelled")
    if status in (AppointmentStatus.CHECKED_IN, AppointmentStatus.SERVED):
        ticket = _tickets_of(session, [appointment.id]).get(appointment.id)
        raise CheckInRefused("already_checked_in", "this appointment is already checked in",
                             ticket=ticket["number"] if ticket else None)
    opens, closes = _window(appointment)
    today, day = service_day(branch.timezone, now), local_date(appointment.start, branch.timezone)
    if day > today:
        raise CheckInRefused("not_today", "this appointment is on another day",
                             start=appointment.start.isoformat())
    if now < opens:
        raise CheckInRefused("too_early", "it is too early to check in this appointment",
                             start=appointment.start.isoformat(), check_in_from=opens.isoformat(),
                             timezone=branch.timezone)
    if now > closes or status == AppointmentStatus.NO_SHOW:
        raise CheckInRefused("too_late", "the time to check in this appointment has passed",
                             start=appointment.start.isoformat())


def _window(appointment: Appointment) -> tuple[datetime, datetime]:
    branch = appointment.branch
    return (appointment.start - timedelta(minutes=branch.check_in_early_minutes),
            appointment.start + timedelta(minutes=branch.appointment_grace_minutes))


def _require_booked(appointment: Appointment, verb: str) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise IllegalTransition(f"the appointment is {appointment.status.replace('_', ' ')}; "
                                f"only a booked one can be {verb}", status=appointment.status)


def _appointment(session: Session, text: str, lock: bool = False) -> Appointment:
    code = normalize_code(text)
    query = select(Appointment).where(Appointment.code == code)
    if lock:
        query = query.with_for_update(of=Appointment)
    found = None if code is None else session.execute(query).scalar_one_or_none()
    if found is None:
        raise NotFound("no appointment with this code", field="code")
    return found


def _unused_code(session: Session) -> str:
    for _ in range(20):
        code = new_code()
        if session.execute(select(Appointment.id).where(Appointment.code == code)).first() is None:
            return code
    raise Conflict("could not find a free appointment code; try again")  # ~never: 5·10^10 codes


def _branch(session: Session, code: str) -> Branch:
    branch = session.execute(select(Branch).where(Branch.code == code)).scalar_one_or_none()
    if branch is None:
        raise NotFound(f"unknown branch '{code}'", field="branch")
    return branch


def _bookable_service(session: Session, branch_code: str, service_code: str) -> Service:
    branch = _branch(session, branch_code)
    service = session.execute(
        select(Service).where(Service.branch_id == branch.id, Service.code == service_code)
    ).scalar_one_or_none()
    if service is None:
        raise NotFound(f"branch '{branch_code}' has no service '{service_code}'", field="service")
    if not (service.active and service.bookable):
        raise Conflict(f"service '{service_code}' does not take appointments", field="service")
    return service


def _tickets_of(session: Session, appointment_ids: list[int]) -> dict[int, dict]:
    if not appointment_ids:
        return {}
    rows = session.execute(select(Ticket.appointment_id, Ticket.label, Ticket.token)
                           .where(Ticket.appointment_id.in_(appointment_ids))).all()
    return {row.appointment_id: {"number": row.label, "token": row.token} for row in rows}


def _record(work: UnitOfWork, type_: str, appointment: Appointment, staff_id: int | None, **data) -> None:
    work.record(type_, branch_id=appointment.branch_id, branch_code=appointment.branch.code,
                service_id=appointment.service_id, staff_id=staff_id, appointment_id=appointment.id, **data)


def _view(appointment: Appointment, ticket: dict | None = None) -> AppointmentView:
    branch, service = appointment.branch, appointment.service
    opens, closes = _window(appointment)
    if ticket is None and appointment.status != AppointmentStatus.BOOKED:
        ticket = _tickets_of(Session.object_session(appointment), [appointment.id]).get(appointment.id)
    return AppointmentView(
        id=appointment.id, code=appointment.code, status=appointment.status, branch=branch.code,
        branch_names=dict(branch.names), branch_address=branch.address, timezone=branch.timezone,
        service=service.code, service_names=dict(service.names), language=appointment.language,
        start=appointment.start, end=appointment.end, check_in_from=opens, check_in_until=closes,
        referral=appointment.referral_ticket_id is not None, contact=appointment.contact, ticket=ticket,
        what_to_bring=dict(service.what_to_bring or {}), revision=appointment.revision or 0)
