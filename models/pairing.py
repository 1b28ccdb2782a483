"""Pairing a kiosk or display: the screen shows a short code, a coordinator types it in.

The screen's page asks for a code (POST) and at the same moment receives, in an HttpOnly cookie,
the random token it will use as a device. The server keeps only the token's fingerprint next to
the code. When a coordinator enters the code, a device is created with that fingerprint: the
token itself never travels again, in no URL and through no person.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, UTCDateTime
from .codes import ALPHABET
from .errors import NotFound
from .security import token_fingerprint

CODE_LENGTH = 6
LIFETIME = timedelta(minutes=15)
TOKEN_BYTES = 24


class PairingRequest(Base):
    __tablename__ = "pairing_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"))


def start(session: Session, kind: str, now: datetime) -> tuple[str, str]:
    """A new pairing code and the device token that goes with it: (code, token)."""
    session.execute(delete(PairingRequest).where(PairingRequest.expires_at < now,
                                                 PairingRequest.device_id.is_(None)))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    taken = set(session.execute(select(PairingRequest.code)).scalars())
    code = _new_code()
    while code in taken:
        code = _new_code()
    session.add(PairingRequest(code=code, token_hash=token_fingerprint(token), kind=kind,
                               expires_at=now + LIFETIME))
    session.flush()
    return code, token


def _new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize(code: str) -> str:
    return "".join(char for char in code.upper() if char.isalnum())[:CODE_LENGTH * 2]


def waiting_request(session: Session, code: str, now: datetime) -> PairingRequest:
    """The unclaimed, unexpired request with this code, or NotFound."""
    request = session.execute(select(PairingRequest).where(
        PairingRequest.code == normalize(code), PairingRequest.device_id.is_(None),
        PairingRequest.expires_at >= now)).scalar_one_or_none()
    if request is None:
        raise NotFound("no screen is waiting with this pairing code (codes last 15 minutes)")
    return request
