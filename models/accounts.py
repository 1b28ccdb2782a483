"""Staff accounts and their sign-in sessions.

Every sign-in (a console page's cookie or an API bearer token) is a row in `staff_session`; the
credential the client holds is `<row id>.<random secret>`, of which only a SHA-256 is stored. A
session is valid while its row is neither ended nor expired and its owner is active, so signing
out ends exactly that session, and a password change, a disabled account or "sign out everywhere"
ends all of that person's sessions at once, on every server process (bank practice: revocable
server-side sessions, not self-contained tokens).

The web layer (pages, API, CLI, the administration pages) calls `StaffAccounts`; no Flask here.
"""
from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, selectinload, sessionmaker

from .base import Base, UTCDateTime, utcnow
from .errors import Conflict, InvalidInput, NotFound
from .org import Branch, Role, Staff
from .security import hash_password, token_fingerprint, verify_password

SECRET_BYTES = 32  # 256 bits
# These roles work at every branch; the others at the branches listed for them.
EVERY_BRANCH_ROLES = frozenset({Role.ADMIN.value, Role.COORDINATOR.value})
MIN_PASSWORD_LENGTH = 10


class SessionKind(StrEnum):
    PAGE = "page"  # a browser's signed-in session (cookie)
    API = "api"    # a bearer token


class StaffSession(Base):
    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class StaffIdentity:
    """Who a valid session belongs to, as every authorization check needs it."""

    id: int
    username: str
    display_name: str
    role: str
    languages: tuple[str, ...] = ()
    branches: frozenset[str] = frozenset()

    def works_at(self, branch_code: str) -> bool:
        """The one rule of branch scope: admins and coordinators everywhere, others where listed."""
        return self.role in EVERY_BRANCH_ROLES or branch_code in self.branches

    @property
    def every_branch(self) -> bool:
        return self.role in EVERY_BRANCH_ROLES


def identity_of(staff: Staff) -> StaffIdentity:
    return StaffIdentity(staff.id, staff.username, staff.display_name, staff.role, tuple(staff.languages or ()),
                         frozenset(b.code for b in staff.branches))


class StaffAccounts:
    """Accounts (create, password, disable) and sessions (open, check, end, end all)."""

    def __init__(self, writer: sessionmaker[Session], reader: sessionmaker[Session] | None = None, *,
                 session_max_age: timedelta = timedelta(hours=12), clock: Callable[[], datetime] = utcnow):
        self._writer, self._reader = writer, reader or writer
        self.session_max_age, self.clock = session_max_age, clock

    # ---- accounts ----------------------------------------------------------------------------

    def create(self, username: str, role: str, password: str, *, display_name: str = "",
               branches: Iterable[str] = (), languages: Iterable[str] = ()) -> int:
        """A new active account; returns its id."""
        if role not in {r.value for r in Role}:
            raise InvalidInput(f"unknown role '{role}'", field="role", allowed=[r.value for r in Role])
        _check_password(password)
        with self._writer() as session, session.begin():
            if session.execute(select(Staff.id).where(Staff.username == username)).first():
                raise Conflict(f"a staff account '{username}' exists already", field="username")
            staff = Staff(username=username, display_name=display_name, role=role, active=True,
                          password_hash=hash_password(password), languages=sorted(set(languages)),
                          branches=_branches(session, branches))
            session.add(staff)
            session.flush()
            return staff.id

    def find(self, username: str) -> int:
        with self._reader() as session:
            staff_id = session.execute(select(Staff.id).where(Staff.username == username)).scalar_one_or_none()
        if staff_id is None:
            raise NotFound(f"no staff account '{username}'", field="username")
        return staff_id

    def set_password(self, staff_id: int, password: str) -> int:
        """Set a new password and end every earlier session of that person; returns how many ended."""
        _check_password(password)
        with self._writer() as session, session.begin():
            _staff(session, staff_id).password_hash = hash_password(password)
            return self._end_all(session, staff_id)

    def disable(self, staff_id: int) -> int:
        """The person can no longer sign in, and every session ends now."""
        with self._writer() as session, session.begin():
            _staff(session, staff_id).active = False
            return self._end_all(session, staff_id)

    def enable(self, staff_id: int) -> None:
        with self._writer() as session, session.begin():
            _staff(session, staff_id).active = True

    def sign_out_everywhere(self, staff_id: int) -> int:
        with self._writer() as session, session.begin():
            _staff(session, staff_id)
            return self._end_all(session, staff_id)

    def verify_credentials(self, username: str, password: str) -> StaffIdentity | None:
        """The identity when the password is right and the account active; else None (same timing)."""
        with self._reader() as session:
            staff = session.execute(select(Staff).where(Staff.username == username)
                                    .options(selectinload(Staff.branches))).scalar_one_or_none()
            good = verify_password(staff.password_hash if staff else None, password)
            return identity_of(staff) if good and staff.active else None

    # ---- sessions ----------------------------------------------------------------------------

    def open_session(self, staff_id: int, kind: SessionKind) -> str:
        """A new session; returns the credential the client keeps (never stored in clear)."""
        secret = secrets.token_urlsafe(SECRET_BYTES)
        now = self.clock()
        with self._writer() as session, session.begin():
            row = StaffSession(staff_id=staff_id, secret_hash=token_fingerprint(secret), kind=kind.value,
                               created_at=now, expires_at=now + self.session_max_age)
            session.add(row)
            session.flush()
            return f"{row.id}.{secret}"

    def identity_for(self, credential: str) -> StaffIdentity | None:
        """Whose session this is, or None when unknown, forged, expired, ended or the account disabled."""
        row_id, secret = _parse(credential)
        if row_id is None:
            return None
        with self._reader() as session:
            found = session.execute(
                select(StaffSession, Staff).join(Staff, Staff.id == StaffSession.staff_id)
                .where(StaffSession.id == row_id).options(selectinload(Staff.branches))).first()
            if found is None:
                return None
            row, staff = found
            if not hmac.compare_digest(row.secret_hash, token_fingerprint(secret)):
                return None
            if row.ended_at is not None or row.expires_at <= self.clock() or not staff.active:
                return None
            return identity_of(staff)

    def end_session(self, credential: str) -> bool:
        """Sign-out: this session stops working. False when it was not a valid session."""
        row_id, secret = _parse(credential)
        if row_id is None:
            return False
        with self._writer() as session, session.begin():
            return bool(session.execute(
                update(StaffSession)
                .where(StaffSession.id == row_id, StaffSession.secret_hash == token_fingerprint(secret),
                       StaffSession.ended_at.is_(None))
                .values(ended_at=self.clock())).rowcount)

    def _end_all(self, session: Session, staff_id: int) -> int:
        return session.execute(
            update(StaffSession).where(StaffSession.staff_id == staff_id, StaffSession.ended_at.is_(None))
            .values(ended_at=self.clock())).rowcount


def _parse(credential: str) -> tuple[int | None, str]:
    head, dot, secret = credential.partition(".")
    if not dot or not head.isdigit() or len(head) > 18 or not secret:
        return None, ""
    return int(head), secret


def _staff(session: Session, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id, with_for_update=True)
    if staff is None:
        raise NotFound(f"no staff account with id {staff_id}")
    return staff


def _branches(session: Session, codes: Iterable[str]) -> list[Branch]:
    wanted = sorted(set(codes))
    found = session.execute(select(Branch).where(Branch.code.in_(wanted))).scalars().all()
    missing = sorted(set(wanted) - {b.code for b in found})
    if missing:
        raise InvalidInput(f"unknown branch(es): {', '.join(missing)}", field="branches")
    return list(found)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD_LENGTH} characters", field="password")
