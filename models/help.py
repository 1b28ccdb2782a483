"""A visitor at a kiosk asks for help ("Call staff"): an alert for the branch's reception and
consoles that stays until a staff member acknowledges it.

Both sides are events (`kiosk.help_requested`, `kiosk.help_acknowledged` with `data.request` = the
request's sequence number), so the alert reaches every screen of the branch like any other event and
the record of who helped stays in the audit trail. No visitor data: only which kiosk asked.
"""
from __future__ import annotations

from datetime import datetime, time, timezone
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import Conflict, NotFound
from .numbering import service_day, zone
from .org import Branch, Device
from .queue import Event

if TYPE_CHECKING:
    from .engine import QueueEngine

HELP_REQUESTED = "kiosk.help_requested"
HELP_ACKNOWLEDGED = "kiosk.help_acknowledged"
HELP_EVENTS = (HELP_REQUESTED, HELP_ACKNOWLEDGED)


class HelpDesk:
    """The service views call: each change one transaction of the queue engine, so its event reaches
    every screen of the branch after commit."""

    def __init__(self, engine: QueueEngine):
        self.engine = engine

    def request(self, branch_code: str, device_id: int) -> dict:
        with self.engine.transaction() as work:
            return request_help(work, branch_code, device_id)

    def acknowledge(self, branch_code: str, seq: int, *, staff_id: int) -> dict:
        with self.engine.transaction() as work:
            return acknowledge(work, branch_code, seq, staff_id=staff_id)

    def waiting(self, branch_code: str) -> list[dict]:
        with self.engine.read() as session:
            return branch_alerts(session, branch_code, self.engine.clock())


def request_help(work, branch_code: str, device_id: int) -> dict:
    """A new alert, or the kiosk's alert still waiting (pressing again does not add another)."""
    branch = _branch(work.session, branch_code)
    device = work.session.get(Device, device_id)
    waiting = [alert for alert in open_alerts(work.session, branch, work.now) if alert["device_id"] == device_id]
    if waiting:
        return waiting[0]
    work.record(HELP_REQUESTED, branch_id=branch.id, branch_code=branch.code,
                device_id=device_id, kiosk=device.name if device else "")
    event = work.published[-1]
    return _alert(event.seq, event.at, event.data)


def acknowledge(work, branch_code: str, seq: int, *, staff_id: int) -> dict:
    branch = _branch(work.session, branch_code)
    alert = next((a for a in open_alerts(work.session, branch, work.now) if a["seq"] == seq), None)
    if alert is None:
        if _requested(work.session, branch, seq) is None:
            raise NotFound(f"no help request {seq} at '{branch_code}'", field="seq")
        raise Conflict(f"help request {seq} was already acknowledged")
    work.record(HELP_ACKNOWLEDGED, branch_id=branch.id, branch_code=branch.code, staff_id=staff_id,
                request=seq, kiosk=alert["kiosk"])
    return alert | {"acknowledged": True}


def open_alerts(session: Session, branch: Branch, now: datetime) -> list[dict]:
    """Today's requests nobody has acknowledged yet, oldest first."""
    day = service_day(branch.timezone, now)
    since = datetime.combine(day, time(0), tzinfo=zone(branch.timezone)).astimezone(timezone.utc)
    rows = session.execute(
        select(Event.type, Event.seq, Event.at, Event.data)
        .where(Event.branch_id == branch.id, Event.type.in_(HELP_EVENTS), Event.at >= since)
        .order_by(Event.seq)
    ).all()
    done = {data.get("request") for type_, _seq, _at, data in rows if type_ == HELP_ACKNOWLEDGED}
    return [_alert(seq, at, data) for type_, seq, at, data in rows if type_ == HELP_REQUESTED and seq not in done]


def branch_alerts(session: Session, branch_code: str, now: datetime) -> list[dict]:
    return open_alerts(session, _branch(session, branch_code), now)


def _alert(seq: int, at: datetime, data: dict) -> dict:
    return {"seq": seq, "at": at.isoformat(), "device_id": data.get("device_id"), "kiosk": data.get("kiosk", "")}


def _requested(session: Session, branch: Branch, seq: int) -> Event | None:
    return session.execute(select(Event).where(Event.branch_id == branch.id, Event.seq == seq,
                                               Event.type == HELP_REQUESTED)).scalar_one_or_none()


def _branch(session: Session, code: str) -> Branch:
    branch = session.execute(select(Branch).where(Branch.code == code)).scalar_one_or_none()
    if branch is None:
        raise NotFound(f"unknown branch '{code}'", field="branch")
    return branch
