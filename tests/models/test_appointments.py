"""Appointments in the engine: slots with free places, booking, codes, cancel and rebook, check-in
at the kiosk with its edge cases, serving order with walk-ins, and the no-show sweep."""
from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from models import (
    Appointment,
    AppointmentBook,
    AppointmentStatus,
    Branch,
    CheckInRefused,
    Conflict,
    Event,
    IllegalTransition,
    InvalidInput,
    NotFound,
    Service,
    SlotFull,
)
from models.codes import ALPHABET, display_code, new_code, normalize_code

from ..conftest import Clock
from ..factories import build_world

MONDAY = date(2026, 11, 23)           # the test clock starts at 09:30 Prague time that day
TUESDAY = date(2026, 11, 24)


def at(day: date, hhmm: str) -> datetime:
    """A Prague wall-clock time in winter (UTC+1), as UTC."""
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours - 1, minutes, tzinfo=UTC)


def make_bookable(writer, branch: str = "b1") -> None:
    with writer() as session, session.begin():
        session.execute(update(Branch).where(Branch.code == branch).values(
            opening_hours={d: [["08:00", "12:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            closed_days=["12-24"], booking_days=14, check_in_early_minutes=30, appointment_grace_minutes=15))
        session.execute(update(Service).where(Service.code == "residence").values(
            bookable=True, slot_minutes=30, slot_capacity=2))
        session.execute(update(Service).where(Service.code == "interpreting").values(
            bookable=True, slot_minutes=30, slot_capacity=1))


@pytest.fixture
def book(db, world, queue) -> AppointmentBook:
    make_bookable(db.writer)
    return AppointmentBook(queue)


# ---- slots ------------------------------------------------------------------------------------

def test_today_offers_only_slots_that_have_not_begun(book):
    slots = book.slots("b1", "residence", MONDAY)
    assert slots[0]["start"] == at(MONDAY, "10:00")
    assert slots[-1]["start"] == at(MONDAY, "11:30")
    assert all(slot["free"] == slot["capacity"] == 2 for slot in slots)


def test_free_places_count_down_and_a_full_slot_refuses(book):
    start = at(TUESDAY, "09:00")
    book.book("b1", "residence", "vi", start)
    assert _free(book, TUESDAY, start) == 1
    book.book("b1", "residence", "en", start)
    assert _free(book, TUESDAY, start) == 0
    with pytest.raises(SlotFull):
        book.book("b1", "residence", "ru", start)


def test_days_list_the_horizon_without_weekends_or_holidays(book, clock):
    clock.now = at(date(2026, 12, 21), "07:00")
    days = [d["date"] for d in book.days("b1", "residence")]
    assert date(2026, 12, 24) not in days and date(2026, 12, 26) not in days
    assert days[0] == date(2026, 12, 21) and days[-1] <= date(2027, 1, 4)


def test_booking_refuses_what_is_not_a_slot(book):
    for start, problem in ((at(TUESDAY, "09:10"), "no appointment slot"),
                           (at(MONDAY, "09:00"), "already begun"),
                           (at(MONDAY + timedelta(days=30), "09:00"), "at most 14 days"),
                           (datetime(2026, 11, 24, 9), "UTC offset")):
        with pytest.raises(InvalidInput, match=problem):
            book.book("b1", "residence", "vi", start)
    with pytest.raises(Conflict, match="does not take appointments"):
        book.book("b1", "assistance", "vi", at(TUESDAY, "09:00"))
    with pytest.raises(InvalidInput):
        book.book("b1", "residence", "xx", at(TUESDAY, "09:00"))
    with pytest.raises(NotFound):
        book.book("nowhere", "residence", "vi", at(TUESDAY, "09:00"))


def test_booking_records_an_event_and_keeps_the_contact(book, db):
    appointment = book.book("b1", "residence", "vi", at(TUESDAY, "09:00"), contact=" +420 777 123 456 ")
    assert appointment.status == "booked" and appointment.contact == "+420 777 123 456"
    assert appointment.check_in_from == at(TUESDAY, "08:30")
    with db.reader() as session:
        assert session.execute(select(Event.type).order_by(Event.id.desc())).scalars().first() == "appointment.booked"


# ---- codes ------------------------------------------------------------------------------------

def test_codes_are_unique_readable_and_forgiving_to_type():
    codes = {new_code() for _ in range(5000)}
    assert len(codes) == 5000
    assert not set("".join(codes)) - set(ALPHABET)
    assert not set(ALPHABET) & set("0O1IL2Z5S6G8BQ")
    code = next(iter(codes))
    assert normalize_code(display_code(code).lower()) == code
    assert normalize_code(f" {code[:4]} {code[4:]} ") == code
    assert normalize_code(f"https://okenko.example/a/{code}") == code      # a scanned QR
    assert normalize_code("ABC") is None and normalize_code("OOOOOOOO") is None


def test_a_code_finds_its_appointment_in_any_spelling(book):
    booked = book.book("b1", "residence", "vi", at(TUESDAY, "09:00"))
    assert book.get(display_code(booked.code).lower()).id == booked.id
    with pytest.raises(NotFound):
        book.get("ACDE-FHJK")


# ---- cancel and rebook ------------------------------------------------------------------------

def test_cancel_frees_the_place_and_only_once(book):
    start = at(TUESDAY, "09:00")
    booked = book.book("b1", "interpreting", "vi", start)
    assert _free(book, TUESDAY, start, "interpreting") == 0
    assert book.cancel(booked.code).status == "cancelled"
    assert _free(book, TUESDAY, start, "interpreting") == 1
    with pytest.raises(IllegalTransition):
        book.cancel(booked.code)


def test_rebook_moves_the_place_and_keeps_the_code(book):
    first, later = at(TUESDAY, "09:00"), at(TUESDAY, "10:30")
    booked = book.book("b1", "interpreting", "vi", first)
    moved = book.rebook(booked.code, later)
    assert moved.code == booked.code and moved.start == later
    assert _free(book, TUESDAY, first, "interpreting") == 1
    assert _free(book, TUESDAY, later, "interpreting") == 0
    other = book.book("b1", "interpreting", "vi", first)
    with pytest.raises(SlotFull):
        book.rebook(other.code, later)
    assert book.get(other.code).start == first      # a refused move changes nothing


# ---- check-in ---------------------------------------------------------------------------------

def test_check_in_issues_a_due_ticket_marked_as_appointment(book, clock):
    appointment = book.book("b1", "residence", "vi", at(MONDAY, "10:00"))
    checked, ticket = book.check_in("b1", appointment.code)
    assert checked.status == "checked_in" and checked.ticket["number"] == ticket.number
    assert ticket.appointment and ticket.appointment_at == at(MONDAY, "10:00")
    assert ticket.language == "vi" and ticket.service == "residence"


@pytest.mark.parametrize(("moment", "reason"), [
    (at(MONDAY, "09:29"), "too_early"),          # window opens 30 min before 10:00
    (at(MONDAY, "10:16"), "too_late"),           # grace of 15 min has passed
])
def test_check_in_window(book, clock, moment, reason):
    appointment = book.book("b1", "residence", "vi", at(MONDAY, "10:00"))
    clock.now = moment
    with pytest.raises(CheckInRefused) as refused:
        book.check_in("b1", appointment.code)
    assert refused.value.reason == reason


def test_check_in_edges_are_inclusive(book, clock):
    early = book.book("b1", "residence", "vi", at(MONDAY, "10:00"))
    late = book.book("b1", "residence", "vi", at(MONDAY, "10:00"))
    clock.now = at(MONDAY, "09:30")
    book.check_in("b1", early.code)
    clock.now = at(MONDAY, "10:15")
    book.check_in("b1", late.code)


def test_check_in_on_another_day_at_another_branch_or_twice(book, db, clock):
    build_world(db.writer, code="b2")
    tomorrow = book.book("b1", "residence", "vi", at(TUESDAY, "09:00"))
    today = book.book("b1", "residence", "vi", at(MONDAY, "10:00"))
    cancelled = book.book("b1", "residence", "vi", at(MONDAY, "10:30"))
    book.cancel(cancelled.code)
    not_today = _refusal(book, "b1", tomorrow.code)
    assert (not_today.reason, not_today.details["start"]) == ("not_today", at(TUESDAY, "09:00").isoformat())
    assert _refusal(book, "b2", today.code).reason == "wrong_branch"
    assert _refusal(book, "b1", cancelled.code).reason == "cancelled"
    book.check_in("b1", today.code)
    again = _refusal(book, "b1", today.code)
    assert again.reason == "already_checked_in" and again.details["ticket"] == "R-001"
    with pytest.raises(NotFound):
        book.check_in("b1", "not a code")


def test_checked_in_appointment_is_called_before_earlier_walk_ins(book, queue, clock, world):
    queue.open_counter(world.counters["desk-r"])
    appointment = book.book("b1", "residence", "vi", at(MONDAY, "10:00"))
    walk_in = queue.issue_ticket("b1", "residence", "cs")
    clock.now = at(MONDAY, "09:40")
    _, ticket = book.check_in("b1", appointment.code)
    # 09:40: the appointment is not due yet (5 min lead): the walk-in goes first.
    assert queue.call_next(world.counters["desk-r"]).id == walk_in.id
    queue.start(walk_in.id)
    queue.finish(walk_in.id)
    later = queue.issue_ticket("b1", "residence", "cs")
    clock.now = at(MONDAY, "09:56")
    assert queue.call_next(world.counters["desk-r"]).id == ticket.id      # due now: before `later`
    queue.no_show(ticket.id)
    assert book.get(appointment.code).status == "no_show"
    assert queue.call_next(world.counters["desk-r"]).id == later.id


def test_finishing_the_ticket_serves_the_appointment(book, queue, world, clock):
    queue.open_counter(world.counters["desk-r"])
    appointment = book.book("b1", "residence", "vi", at(MONDAY, "10:00"))
    clock.now = at(MONDAY, "10:00")
    _, ticket = book.check_in("b1", appointment.code)
    queue.call_next(world.counters["desk-r"])
    queue.start(ticket.id)
    queue.finish(ticket.id)
    assert book.get(appointment.code).status == "served"


# ---- the sweep --------------------------------------------------------------------------------

def test_sweep_marks_missed_appointments_and_erases_old_contacts(book, clock, db):
    missed = book.book("b1", "residence", "vi", at(MONDAY, "10:00"), contact="a@example.org")
    kept = book.book("b1", "residence", "vi", at(MONDAY, "11:00"))
    clock.now = at(MONDAY, "10:15")
    assert book.sweep() == {"no_show": 0, "contacts_erased": 0}          # still within the grace
    clock.now = at(MONDAY, "10:16")
    assert book.sweep()["no_show"] == 1
    assert book.get(missed.code).status == "no_show"
    assert book.get(kept.code).status == "booked"
    assert book.sweep()["no_show"] == 0                                   # idempotent
    assert _refusal(book, "b1", missed.code).reason == "too_late"
    clock.now = at(MONDAY, "10:30") + timedelta(days=31)
    assert book.sweep()["contacts_erased"] == 1
    assert book.get(missed.code).contact == ""


def test_day_list_for_staff(book, clock):
    book.book("b1", "residence", "vi", at(TUESDAY, "09:00"))
    book.book("b1", "interpreting", "mn", at(TUESDAY, "08:00"))
    book.book("b1", "residence", "en", at(MONDAY, "11:00"))
    listed = book.day_list("b1", TUESDAY)
    assert [(a.service, a.language) for a in listed] == [("interpreting", "mn"), ("residence", "vi")]
    assert [a.service for a in book.day_list("b1", TUESDAY, "residence")] == ["residence"]


# ---- the race for the last place ----------------------------------------------------------------

def test_two_visitors_racing_for_the_last_place_one_gets_it(any_db):
    world = build_world(any_db.writer)
    make_bookable(any_db.writer)
    book = AppointmentBook(any_db.queue(Clock()))
    day = TUESDAY
    starts = [at(day, f"{h:02d}:{m:02d}") for h in range(8, 12) for m in (0, 30)]
    for start in starts:
        barrier, outcomes = threading.Barrier(2), []

        def race(start=start, barrier=barrier, outcomes=outcomes):
            barrier.wait()
            try:
                outcomes.append(book.book(world.branch, "interpreting", "vi", start).code)
            except SlotFull:
                outcomes.append("full")

        threads = [threading.Thread(target=race) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcome == "full" for outcome in outcomes) == [False, True], outcomes
    with any_db.reader() as session:
        assert session.query(Appointment).count() == len(starts)
        assert {a.status for a in session.query(Appointment)} == {AppointmentStatus.BOOKED.value}


def _free(book, day, start, service="residence"):
    return next(slot["free"] for slot in book.slots("b1", service, day) if slot["start"] == start)


def _refusal(book, branch, code) -> CheckInRefused:
    with pytest.raises(CheckInRefused) as refused:
        book.check_in(branch, code)
    return refused.value
