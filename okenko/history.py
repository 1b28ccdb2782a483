"""Realistic past activity for the demo and the benchmarks: tickets and their events, written in bulk.

Weekdays are busy, Saturdays light, Sundays closed; mornings peak at 9–11 and after lunch; the
languages are those of Prague's foreigners' offices; some visitors do not come, some leave, some
are transferred, some need an interpreter, some come with an appointment, and counsellors record
topics. Waits grow with the hour's load. Days that already have tickets are left alone, so running
it twice adds nothing. Aggregates are stored afterwards by the same roll-up the sweep runs.
"""
from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from models import Appointment, Branch, Event, Service, Ticket, active_topics
from models.codes import new_code
from models.numbering import service_day, ticket_label, zone

LANGUAGES = {"vi": 25, "uk": 25, "ru": 15, "mn": 10, "cs": 8, "en": 7, "ar": 5, "fr": 5}
SERVICES = {"assistance": 45, "residence": 35, "legal": 8, "interpreting": 12}
HOURS = {8: 8, 9: 14, 10: 15, 11: 13, 12: 8, 13: 11, 14: 10, 15: 9, 16: 7, 17: 5}
WEEKDAY_LOAD = (1.15, 1.0, 1.1, 0.95, 0.8, 0.25, 0.0)   # Monday … Sunday
BATCH = 20_000


@dataclass(frozen=True)
class Plan:
    days: int
    tickets_per_day: int = 120     # an ordinary weekday of one branch
    seed: int = 11


def fill(session: Session, plan: Plan, now: datetime) -> int:
    """Write `plan.days` days of history before today for every branch. Returns tickets written."""
    rng = random.Random(plan.seed)
    topics = [topic.code for topic in active_topics(session)]
    written = 0
    for branch in session.execute(select(Branch).order_by(Branch.id)).scalars().all():
        services = {s.code: s for s in session.execute(
            select(Service).where(Service.branch_id == branch.id, Service.active.is_(True))).scalars()}
        today = service_day(branch.timezone, now)
        taken = set(session.execute(select(Ticket.service_day).distinct().where(
            Ticket.branch_id == branch.id, Ticket.service_day >= today - timedelta(days=plan.days))).scalars())
        days = [today - timedelta(days=n) for n in range(plan.days, 0, -1)]
        written += _fill_branch(session, branch, services, [d for d in days if d not in taken], plan, rng, topics)
    _realign_sequences(session)
    return written


def _fill_branch(session: Session, branch: Branch, services: dict, days: list[date], plan: Plan,
                 rng: random.Random, topics: list[str]) -> int:
    next_id = (session.execute(select(func.max(Ticket.id))).scalar() or 0) + 1
    next_appointment = (session.execute(select(func.max(Appointment.id))).scalar() or 0) + 1
    seq = branch.event_seq
    tickets, events, appointments, count = [], [], [], 0
    for day in days:
        for ticket, ticket_events in _day(branch, services, day, plan, rng, next_id, topics):
            for event in ticket_events:
                seq += 1
                events.append(event | {"seq": seq, "branch_id": branch.id})
            if ticket["due_at"] is not None:
                appointments.append(_appointment(next_appointment, ticket))
                ticket["appointment_id"] = next_appointment
                next_appointment += 1
            tickets.append(ticket)
            next_id += 1
            count += 1
        if len(tickets) >= BATCH:
            _flush(session, tickets, events, appointments)
    _flush(session, tickets, events, appointments)
    session.execute(update(Branch).where(Branch.id == branch.id).values(event_seq=seq))
    return count


def _flush(session: Session, tickets: list, events: list, appointments: list) -> None:
    if appointments:
        session.execute(insert(Appointment.__table__), appointments)
    if tickets:
        session.execute(insert(Ticket.__table__), tickets)
        session.execute(insert(Event.__table__), events)
    for rows in (tickets, events, appointments):
        rows.clear()


def _appointment(appointment_id: int, ticket: dict) -> dict:
    """The booking an appointment ticket was checked in for (booked the week before)."""
    status = {"done": "served"}.get(ticket["status"], ticket["status"])
    start = ticket["due_at"]
    return {"id": appointment_id, "code": new_code(), "branch_id": ticket["branch_id"],
            "service_id": ticket["service_id"], "language": ticket["language"], "start": start,
            "end": start + timedelta(minutes=30), "status": status, "contact": "",
            "created_at": start - timedelta(days=7), "checked_in_at": ticket["issued_at"]}


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _day(branch: Branch, services: dict, day: date, plan: Plan, rng: random.Random,
         first_id: int, topics: list[str]) -> Iterator[tuple[dict, list[dict]]]:
    load = WEEKDAY_LOAD[day.weekday()]
    total = int(plan.tickets_per_day * load * rng.uniform(0.85, 1.15))
    tz = zone(branch.timezone)
    numbers: dict[str, int] = {}
    offered = {code: weight for code, weight in SERVICES.items() if code in services}
    for n in range(total):
        hour = _pick(rng, HOURS)
        issued = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tz).astimezone(zone("UTC"))
        service = services[_pick(rng, offered)]
        numbers[service.code] = numbers.get(service.code, 0) + 1
        yield _visit(rng, first_id + n, branch, service, day, numbers[service.code], issued, HOURS[hour] / 15,
                     topics)


def _visit(rng: random.Random, ticket_id: int, branch: Branch, service: Service, day: date, number: int,
           issued: datetime, busy: float, topics: list[str]) -> tuple[dict, list[dict]]:
    language = _pick(rng, LANGUAGES)
    appointment = service.code in ("residence", "legal") and rng.random() < 0.15
    wait = timedelta(seconds=int(rng.expovariate(1 / (60 + 900 * busy * (0.3 if appointment else 1)))))
    estimate = max(0, round(wait.total_seconds() / 60 * rng.uniform(0.6, 1.5)))
    ticket = {"id": ticket_id, "branch_id": branch.id, "service_id": service.id, "issued_service_id": service.id,
              "service_day": day, "number": number, "label": ticket_label(service.prefix, number),
              "language": language, "priority": 0, "token": secrets.token_urlsafe(18), "issued_at": issued,
              "effective_at": issued, "call_count": 1, "estimated_wait_minutes": estimate,
              "due_at": issued + timedelta(minutes=20) if appointment else None,
              "status": "done", "called_at": None, "started_at": None, "finished_at": None,
              "appointment_id": None}
    events = [_event(ticket_id, service, "ticket.issued", issued)]
    outcome = rng.random()
    if outcome < 0.04:                                   # left before being called
        ticket |= {"status": "cancelled", "finished_at": issued + wait, "call_count": 0}
        events.append(_event(ticket_id, service, "ticket.cancelled", issued + wait, reason=""))
        return ticket, events
    called = issued + wait
    events.append(_event(ticket_id, service, "ticket.called", called))
    if outcome < 0.12:                                   # did not come
        ticket |= {"status": "no_show", "called_at": called, "finished_at": called + timedelta(minutes=2)}
        events.append(_event(ticket_id, service, "ticket.no_show", called + timedelta(minutes=2), call_count=1))
        return ticket, events
    started = called + timedelta(seconds=rng.randint(20, 120))
    served = int(max(60, rng.lognormvariate(0, 0.45) * service.expected_minutes * 60))
    finished = started + timedelta(seconds=served)
    events.append(_event(ticket_id, service, "ticket.started", started, waited_s=int((started - issued).total_seconds())))
    if language != "cs" and rng.random() < 0.1:
        interpreting = rng.randint(300, 1500)
        events.append(_event(ticket_id, service, "interpreter.requested", started, language=language))
        events.append(_event(ticket_id, service, "interpreter.finished", started + timedelta(seconds=interpreting),
                             language=language, interpreting_s=interpreting))
    if outcome > 0.97:                                   # sent on to another service first
        events.append(_event(ticket_id, service, "ticket.transferred", started, from_service=service.code,
                             to_service=service.code, served_s=0))
    chosen = sorted(set(rng.sample(topics, min(len(topics), rng.choice((1, 1, 1, 2))))))
    events.append(_event(ticket_id, service, "ticket.finished", finished, served_s=served, topics=chosen))
    ticket |= {"status": "done", "called_at": called, "started_at": started, "finished_at": finished}
    return ticket, events


def _event(ticket_id: int, service: Service, type_: str, at: datetime, **data) -> dict:
    return {"ticket_id": ticket_id, "service_id": service.id, "type": type_, "at": at, "data": data}


def _realign_sequences(session: Session) -> None:
    """Ticket ids were given explicitly: PostgreSQL's id sequence must continue after them."""
    if session.get_bind().dialect.name == "postgresql":
        for table in ("ticket", "appointment"):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(SELECT coalesce(max(id), 1) FROM {table}))"))
