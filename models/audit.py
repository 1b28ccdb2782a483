"""The audit trail of the administration: who changed which setting, when, from what to what.

Queue events (`event`) carry a gap-free sequence per branch that displays follow; settings
changes have no place in that sequence (and staff or topics belong to no branch), so they are
recorded here, one row per change, in the same transaction as the change.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    # Kept as written, so the trail still says who after an account is gone.
    actor: Mapped[str] = mapped_column(String(60), default="")
    # "branch.created", "service.updated", "device.revoked", "staff.disabled", …
    action: Mapped[str] = mapped_column(String(40))
    # What was changed: "branch:praha-iv", "service:praha-iv/residence", "staff:anna".
    target: Mapped[str] = mapped_column(String(120))
    # {field: [before, after]}; secrets never appear (a password change is {"password": ["…", "…"]}).
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    branch_id: Mapped[int | None] = mapped_column(Integer)


SECRET_FIELDS = frozenset({"password", "password_hash", "token", "token_hash"})


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed; secrets are masked."""
    changed = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changed[key] = ["…", "…"] if key in SECRET_FIELDS else [old, new]
    return changed


def record(session: Session, action: str, target: str, changes: dict | None = None, *,
           staff_id: int | None = None, actor: str = "", branch_id: int | None = None) -> None:
    session.add(AuditEvent(action=action, target=target, changes=changes or {}, staff_id=staff_id,
                           actor=actor, branch_id=branch_id, at=utcnow()))
