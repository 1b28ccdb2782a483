"""The branch snapshot: everything a waiting-room display shows, at one sequence number."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Integer, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from . import estimates, hours
from .errors import NotFound
from .interpreting import active_request
from .numbering import service_day, zone
from .content import Slide
from .org import Branch, Counter, Service, Staff
from .queue import Event, Ticket
from .states import CounterState, TicketStatus
from .views import counter_ref

CALL_EVENTS = ("ticket.called", "ticket.recalled")

# Built once: building these expressions cost more than running them (a display's every snapshot).
BRANCH = select(Branch).where(Branch.code == bindparam("code"))
TODAYS_SLIDES = select(Slide).where(
    Slide.active.is_(True),
    or_(Slide.branch_id.is_(None), Slide.branch_id == bindparam("branch_id")),
    or_(Slide.valid_from.is_(None), Slide.valid_from <= bindparam("day")),
    or_(Slide.valid_until.is_(None), Slide.valid_until >= bindparam("day")),
).order_by(Slide.sort_order, Slide.id)
_CALLED_TODAY = (Ticket.branch_id == bindparam("branch_id"), Ticket.service_day == bindparam("day"),
                 Ticket.status == TicketStatus.CALLED.value)
CURRENT_CALLS = select(Ticket).where(*_CALLED_TODAY).order_by(Ticket.called_at.desc())
ACTIVE_CALLS = (
    select(Ticket, func.count(Event.id).label("calls"))
    .outerjoin(Event, (Event.ticket_id == Ticket.id) & Event.type.in_(CALL_EVENTS))
    .where(*_CALLED_TODAY, Ticket.counter_id.is_not(None))
    .group_by(Ticket.id)
    .order_by(Ticket.called_at.desc(), Ticket.id.desc())
)
_CALLED_AT = aliased(Counter)
RECENT_CALLS = (
    select(Event, Ticket, _CALLED_AT)
    .join(Ticket, Ticket.id == Event.ticket_id)
    .outerjoin(_CALLED_AT, _CALLED_AT.id == Event.counter_id)
    .where(Event.branch_id == bindparam("branch_id"), Event.type.in_(CALL_EVENTS), Event.at >= bindparam("since"))
    .order_by(Event.seq.desc())
    .limit(bindparam("limit", type_=Integer))
)


def branch_snapshot(session: Session, branch_code: str, now: datetime, recent: int = 10) -> dict:
    if session.get_bind().dialect.name == "postgresql":
        # One consistent view, so the sequence number matches the content.
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    branch = session.execute(BRANCH, {"code": branch_code}).scalar_one_or_none()
    if branch is None:
        raise NotFound(f"unknown branch '{branch_code}'", field="branch")
    day = service_day(branch.timezone, now)
    local = now.astimezone(zone(branch.timezone))
    slides = _todays_slides(session, branch, local)
    return {
        "branch": {"code": branch.code, "names": dict(branch.names)},
        "seq": branch.event_seq,
        "service_day": day.isoformat(),
        "generated_at": now.isoformat(),
        "current": _current_calls(session, branch, day),
        "active_calls": active_calls(session, branch, day),
        "recent": _recent_calls(session, branch, day, recent),
        "services": _queues(session, branch, day, now),
        "slides": _slides(slides, local),
        "slides_change_at": _slides_change_at(slides, local),
    }


def branch_queues(session: Session, branch_code: str, now: datetime) -> tuple[int, list[dict], list[dict]]:
    """(sequence number, per-service queue state, active calls) for realtime `queue` messages: a
    start, no-show or cancel ends a call, and displays learn of it with the counts."""
    branch = session.execute(BRANCH, {"code": branch_code}).scalar_one()
    day = service_day(branch.timezone, now)
    return branch.event_seq, _queues(session, branch, day, now), active_calls(session, branch, day)


def _queues(session: Session, branch: Branch, day: date, now: datetime) -> list[dict]:
    return [_service_queue(session, branch, service, day, now) for service in branch.services if service.active]


def _slides(todays: list[Slide], local: datetime) -> list[dict]:
    """Today's slides valid now (weekdays, hours), in showing order."""
    return [{"id": s.id, "language": s.language, "title": s.title, "body": s.body, "image_url": s.image_url,
             "duration_s": s.duration_s} for s in todays if _in_window(s, local)]


def _todays_slides(session: Session, branch: Branch, local: datetime) -> list[Slide]:
    """Active slides for this branch (or every branch) whose dates include today, in showing order."""
    return list(session.execute(TODAYS_SLIDES, {"branch_id": branch.id, "day": local.date()}).scalars())


def _slides_change_at(todays: list[Slide], local: datetime) -> str:
    """When the slides shown next change by themselves (a time window opens or closes, or the day
    ends): a display that stays connected asks for a fresh snapshot then."""
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
    edges = [datetime.combine(local.date(), time.fromisoformat(edge), tzinfo=local.tzinfo)
             for slide in todays
             for edge in (slide.time_from, slide.time_until) if edge and edge != "24:00"]   # 24:00: midnight
    return min([edge for edge in edges if edge > local] + [midnight]).astimezone(timezone.utc).isoformat()


def _in_window(slide: Slide, local: datetime) -> bool:
    weekday, clock = hours.DAYS[local.weekday()], local.strftime("%H:%M")
    if slide.weekdays and weekday not in slide.weekdays:
        return False
    return (not slide.time_from or slide.time_from <= clock) and (not slide.time_until or clock < slide.time_until)


def _call(ticket: Ticket, counter: Counter | None, at: datetime | None) -> dict:
    return {
        "number": ticket.label,
        "service": ticket.service.code,
        "service_names": dict(ticket.service.names),
        "language": ticket.language,
        "status": ticket.status,
        "appointment": ticket.appointment_id is not None,
        "counter": counter_ref(counter),
        "at": at.isoformat() if at else None,
    }


def _current_calls(session: Session, branch: Branch, day: date) -> list[dict]:
    tickets = session.execute(CURRENT_CALLS, {"branch_id": branch.id, "day": day}).scalars()
    return [_call(t, t.counter, t.called_at) for t in tickets]


def active_calls(session: Session, branch: Branch, day: date) -> list[dict]:
    """Every counter's called ticket, waiting for its visitor to arrive: one slot per counter (the
    newest call if a counter has more than one), newest first. History is secondary; these stay."""
    rows = session.execute(ACTIVE_CALLS, {"branch_id": branch.id, "day": day}).all()
    slots: dict[int, dict] = {}
    for ticket, count in rows:
        if ticket.counter_id in slots:
            continue
        slots[ticket.counter_id] = {
            "number": ticket.label, "service": ticket.service.code, "service_names": dict(ticket.service.names),
            "language": ticket.language, "appointment": ticket.appointment_id is not None,
            "counter": counter_ref(ticket.counter), "called_at": ticket.called_at.isoformat(),
            "call_count": max(count, 1),
        }
    return list(slots.values())


def _recent_calls(session: Session, branch: Branch, day: date, limit: int) -> list[dict]:
    start_of_day = datetime.combine(day, time(0), tzinfo=zone(branch.timezone)).astimezone(timezone.utc)
    rows = session.execute(RECENT_CALLS, {"branch_id": branch.id, "since": start_of_day, "limit": limit}).all()
    return [_call(ticket, ctr, event.at) | {"seq": event.seq} for event, ticket, ctr in rows]


def _service_queue(session: Session, branch: Branch, service: Service, day: date, now: datetime) -> dict:
    waiting = estimates.waiting_count(session, branch.id, service.id, day)
    counters = estimates.counter_states(session, service.id)    # one read for both counts
    opened = counters.count(CounterState.OPEN.value)
    return _availability(branch, counters, now) | {
        "code": service.code,
        "prefix": service.prefix,
        "names": dict(service.names),
        "waiting": waiting,
        "open_counters": opened,
        "estimated_wait_minutes": estimates.estimated_wait(session, branch.id, service.id,
                                                           service.expected_minutes, waiting, opened),
    }


def _availability(branch: Branch, counter_states: list[str], now: datetime) -> dict:
    """Whether a kiosk offers the service now, and if not, why (closed hours or nobody serving).
    Paused counters are staffed: the service is still running, someone is just away for a moment."""
    local = now.astimezone(zone(branch.timezone))
    closed_days = branch.closed_days or ()
    if branch.opening_hours and not branch.kiosk_outside_hours and not hours.is_open(
            branch.opening_hours, local, closed_days):
        opens = hours.next_opening(branch.opening_hours, local, closed_days)
        return {"available": False, "unavailable_reason": "closed",
                "opens_at": opens.isoformat() if opens else None}
    if not any(state in (CounterState.OPEN.value, CounterState.PAUSED.value) for state in counter_states):
        return {"available": False, "unavailable_reason": "no_counter", "opens_at": None}
    return {"available": True, "unavailable_reason": None, "opens_at": None}


def counter_overview(session: Session, counter_id: int, now: datetime) -> dict:
    """What a counsellor's console shows: the counter, its current ticket, and its queues."""
    counter = session.get(Counter, counter_id)
    if counter is None:
        raise NotFound(f"no counter with id {counter_id}")
    day = service_day(counter.branch.timezone, now)
    current = session.execute(
        select(Ticket).where(Ticket.counter_id == counter.id,
                             Ticket.status.in_([TicketStatus.CALLED.value, TicketStatus.SERVING.value]))
        .order_by(Ticket.called_at.desc())
    ).scalars().first()
    queues = []
    for service in counter.services:
        oldest = session.execute(
            select(func.min(Ticket.effective_at)).where(
                Ticket.branch_id == counter.branch_id, Ticket.service_day == day, Ticket.service_id == service.id,
                Ticket.status == TicketStatus.WAITING.value)
        ).scalar_one()
        queues.append({"code": service.code, "names": dict(service.names),
                       "waiting": estimates.waiting_count(session, counter.branch_id, service.id, day),
                       "longest_wait_minutes": int((now - oldest).total_seconds() // 60) if oldest else None})
    return {
        "counter": {"id": counter.id, "name": counter.name, "state": counter.state, "staff_id": counter.staff_id,
                    "languages": list(counter.languages or ()), "branch": counter.branch.code},
        "current": None if current is None else _current_ticket(session, current, now),
        "queues": queues,
    }


def _current_ticket(session: Session, ticket: Ticket, now: datetime) -> dict:
    history = session.execute(
        select(Event.type, Event.at, Event.data).where(Event.ticket_id == ticket.id).order_by(Event.seq)
    ).all()
    request = active_request(session, ticket.id)
    interpreter = session.get(Staff, request.interpreter_id) if request and request.interpreter_id else None
    return {
        "interpreter": None if request is None else {
            "id": request.id, "status": request.status, "language": request.language,
            "requested_at": request.created_at.isoformat(),
            "name": (interpreter.display_name or interpreter.username) if interpreter else None},
        "id": ticket.id, "number": ticket.label, "status": ticket.status, "service": ticket.service.code,
        "service_names": dict(ticket.service.names), "language": ticket.language, "priority": ticket.priority,
        "appointment": ticket.appointment_id is not None,
        "waited_minutes": int(((ticket.called_at or now) - ticket.effective_at).total_seconds() // 60),
        "history": [{"type": type_, "at": at.isoformat(), "data": data} for type_, at, data in history],
    }


def open_tickets(session: Session, branch_code: str, now: datetime) -> list[dict]:
    """The front desk's list: today's tickets not yet finished, in issue order."""
    branch = session.execute(select(Branch).where(Branch.code == branch_code)).scalar_one_or_none()
    if branch is None:
        raise NotFound(f"unknown branch '{branch_code}'", field="branch")
    tickets = session.execute(
        select(Ticket).where(
            Ticket.branch_id == branch.id, Ticket.service_day == service_day(branch.timezone, now),
            Ticket.status.in_([TicketStatus.WAITING.value, TicketStatus.CALLED.value, TicketStatus.SERVING.value]))
        .order_by(Ticket.effective_at, Ticket.id)
    ).scalars()
    return [{"id": t.id, "number": t.label, "token": t.token, "status": t.status, "service": t.service.code,
             "service_names": dict(t.service.names), "language": t.language, "priority": t.priority,
             "issued_at": t.issued_at.isoformat(), "counter": None if t.counter is None or t.status == "waiting"
             else {"id": t.counter.id, "name": t.counter.name}} for t in tickets]
