"""The operations board's read model: per branch, right now. For the coordinator on duty (staff
names appear here; this is never shown on a public screen)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .interpreting import InterpreterRequest, RequestStatus
from .numbering import service_day
from .org import Branch, Counter, Device, Service, Staff
from .queue import Appointment, AppointmentStatus, Ticket
from .states import TicketStatus

# A device heard from within this long is online.
ONLINE_WITHIN = timedelta(minutes=3)     # heartbeats come every minute
# Printer states that need someone to go there; the alert stays until the printer reports otherwise.
PRINTER_ALERTS = frozenset({"paper_out", "offline", "error", "cover_open"})
APPOINTMENTS_AHEAD = timedelta(hours=1)


def board(session: Session, branch_ids: list[int], now: datetime) -> list[dict]:
    branches = session.execute(
        select(Branch).where(Branch.id.in_(branch_ids)).order_by(Branch.code)
        .options(selectinload(Branch.services), selectinload(Branch.counters).selectinload(Counter.staff))
    ).scalars().all()
    return [_branch(session, branch, now) for branch in branches]


def _seconds(since: datetime | None, now: datetime) -> int | None:
    return None if since is None else max(int((now - since).total_seconds()), 0)


def _branch(session: Session, branch: Branch, now: datetime) -> dict:
    return {"code": branch.code, "names": dict(branch.names), "services": _services(session, branch, now),
            "counters": [_counter(c) for c in branch.counters],
            "interpreter_requests": _interpreter_requests(session, branch, now),
            "devices": _devices(session, branch, now),
            "appointments_next_hour": _appointments(session, branch, now)}


def _services(session: Session, branch: Branch, now: datetime) -> list[dict]:
    rows = dict((service_id, (waiting, oldest)) for service_id, waiting, oldest in session.execute(
        select(Ticket.service_id, func.count(), func.min(Ticket.effective_at))
        .where(Ticket.branch_id == branch.id, Ticket.service_day == service_day(branch.timezone, now),
               Ticket.status == TicketStatus.WAITING.value)
        .group_by(Ticket.service_id)).all())
    out = []
    for service in branch.services:
        waiting, oldest = rows.get(service.id, (0, None))
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=now.tzinfo)
        out.append({"code": service.code, "names": dict(service.names), "waiting": waiting,
                    "longest_wait_s": _seconds(oldest, now)})
    return out


def _counter(counter: Counter) -> dict:
    holder: Staff | None = counter.staff
    return {"id": counter.id, "name": counter.name, "number": counter.number, "state": counter.state,
            "holder": (holder.display_name or holder.username) if holder and counter.state != "closed" else None}


def _interpreter_requests(session: Session, branch: Branch, now: datetime) -> list[dict]:
    rows = session.execute(
        select(InterpreterRequest, Counter.name)
        .outerjoin(Counter, Counter.id == InterpreterRequest.counter_id)
        .where(InterpreterRequest.branch_id == branch.id,
               InterpreterRequest.status == RequestStatus.OPEN.value)
        .order_by(InterpreterRequest.created_at)).all()
    return [{"language": request.language, "counter": counter, "waiting_s": _seconds(request.created_at, now)}
            for request, counter in rows]


def _devices(session: Session, branch: Branch, now: datetime) -> list[dict]:
    """Kiosks and displays with when they were last heard of: the page's heartbeat (every minute) or a
    ticket it issued. A printer probe from the server says nothing of the kiosk itself."""
    last_ticket = dict(session.execute(
        select(Ticket.device_id, func.max(Ticket.issued_at))
        .where(Ticket.branch_id == branch.id, Ticket.device_id.is_not(None))
        .group_by(Ticket.device_id)).all())
    out = []
    for device in session.execute(select(Device).where(Device.branch_id == branch.id, Device.active.is_(True))
                                  .order_by(Device.kind, Device.name)).scalars():
        seen = max((t for t in (device.last_seen_at, last_ticket.get(device.id)) if t is not None),
                   default=None)
        alert = device.printer_state if device.printer_state in PRINTER_ALERTS else None
        out.append({"kind": device.kind, "name": device.name,
                    "last_seen": seen.isoformat() if seen else None,
                    "online": seen is not None and now - seen <= ONLINE_WITHIN,
                    "printer_state": device.printer_state or None, "printer_alert": alert,
                    "printer_alert_since": device.printer_checked_at.isoformat() if alert else None})
    return out


def _appointments(session: Session, branch: Branch, now: datetime) -> list[dict]:
    rows = session.execute(
        select(Appointment.start, Appointment.language, Appointment.status, Service.code)
        .join(Service, Service.id == Appointment.service_id)
        .where(Appointment.branch_id == branch.id, Appointment.start >= now,
               Appointment.start < now + APPOINTMENTS_AHEAD,
               Appointment.status.in_([AppointmentStatus.BOOKED.value, AppointmentStatus.CHECKED_IN.value]))
        .order_by(Appointment.start)).all()
    return [{"start": start.isoformat(), "language": language, "status": status, "service": service}
            for start, language, status, service in rows]
