"""The organisation: branches, their services and counters, staff and devices."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Table, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .states import CounterState

counter_services = Table(
    "counter_service",
    Base.metadata,
    Column("counter_id", ForeignKey("counter.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
)

# The branches a staff member works at; admins and coordinators work at all of them.
staff_branches = Table(
    "staff_branch",
    Base.metadata,
    Column("staff_id", ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
    Column("branch_id", ForeignKey("branch.id", ondelete="CASCADE"), primary_key=True),
)


def localized(names: dict[str, str], language: str, fallback: str = "cs") -> str:
    """The name in `language`, else Czech, else English, else any."""
    return names.get(language) or names.get(fallback) or names.get("en") or next(iter(names.values()), "")


class Branch(Base):
    """One office, e.g. "Prague IV – Koněvova"."""

    __tablename__ = "branch"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    address: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Prague")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    # {"mon": [["08:00", "12:00"], ["13:00", "16:00"]], …}; a missing day is closed.
    opening_hours: Mapped[dict[str, list[list[str]]]] = mapped_column(JSON, default=dict)
    # Last sequence number given to an event of this branch (realtime gap detection).
    event_seq: Mapped[int] = mapped_column(Integer, default=0)
    # Days without appointments: "2026-12-24" once, "12-24" every year (public holidays).
    closed_days: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # How far ahead visitors may book.
    booking_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    # An appointment may be checked in from this long before its start…
    check_in_early_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    # …until this long after it; later it is a no-show.
    appointment_grace_minutes: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    # The kiosk issues tickets outside opening hours too (e.g. a queue that forms before opening).
    kiosk_outside_hours: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    services: Mapped[list[Service]] = relationship(back_populates="branch", order_by="Service.sort_order")
    counters: Mapped[list[Counter]] = relationship(back_populates="branch", order_by="Counter.sort_order")

    def name(self, language: str) -> str:
        return localized(self.names, language)


class Service(Base):
    """A queue visitors choose at the kiosk, within one branch."""

    __tablename__ = "service"
    __table_args__ = (
        UniqueConstraint("branch_id", "code"),
        UniqueConstraint("branch_id", "prefix"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    prefix: Mapped[str] = mapped_column(String(3))
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    descriptions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    expected_minutes: Mapped[int] = mapped_column(Integer, default=10)
    # Served only by staff speaking the ticket's language where they declared any (interpreting).
    needs_language_match: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # Appointments: offered at all, the length of one slot, and how many desks take one in parallel.
    bookable: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    slot_capacity: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # What to bring to an appointment, per language (shown on the booking confirmation).
    what_to_bring: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")

    branch: Mapped[Branch] = relationship(back_populates="services")

    def name(self, language: str) -> str:
        return localized(self.names, language)


class Counter(Base):
    """A desk in a branch, serving some of its services, staffed by one person at a time."""

    __tablename__ = "counter"
    __table_args__ = (UniqueConstraint("branch_id", "name"), UniqueConstraint("branch_id", "number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"), index=True)
    # Staff-facing label, unique in the branch ("Přepážka 2", "Tlumočníci").
    name: Mapped[str] = mapped_column(String(60))
    # What visitors are sent to: the number on the desk, and optionally a name per language
    # ({"cs": "Tlumočníci", "vi": "Phiên dịch viên"}) for desks known by more than a number.
    number: Mapped[int] = mapped_column(Integer)
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    state: Mapped[str] = mapped_column(String(10), default=CounterState.CLOSED.value)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    # Languages the staff member declared for this shift; empty: no preference.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # Printer at the desk (referral confirmations), same addresses as a kiosk's; empty: none.
    printer: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # A removed counter that has served tickets is retired, not deleted: its history stays.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    branch: Mapped[Branch] = relationship(back_populates="counters")
    services: Mapped[list[Service]] = relationship(secondary=counter_services, order_by="Service.sort_order")
    staff: Mapped[Staff | None] = relationship()


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    COUNSELLOR = "counsellor"
    INTERPRETER = "interpreter"
    RECEPTIONIST = "receptionist"


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    ui_language: Mapped[str] = mapped_column(String(8), default="cs")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Sign-in sessions and their revocation: models/accounts.py; failed sign-ins: okenko/limits.py.

    branches: Mapped[list[Branch]] = relationship(secondary=staff_branches, order_by="Branch.code")


class DeviceKind(StrEnum):
    KIOSK = "kiosk"
    DISPLAY = "display"


class Device(Base):
    """A registered kiosk or display; it authenticates with its token, no staff login."""

    __tablename__ = "device"
    __table_args__ = (UniqueConstraint("branch_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(60))
    # SHA-256 of the token: tokens are long random strings, so a fast hash is enough.
    token_hash: Mapped[str] = mapped_column(String(64), index=True)
    # Printer address for a kiosk (tcp://…, usb://…, none); empty: the configured default.
    printer: Mapped[str] = mapped_column(String(200), default="")
    # Last known state of that printer (online, offline, paper_out, …) and when it was learnt.
    printer_state: Mapped[str] = mapped_column(String(20), default="", server_default="")
    printer_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A kiosk's time limit: idle seconds before it asks "Are you still there?" (some visitors
    # need much longer: EN 301 549 §5.2 / WCAG 2.2.1).
    idle_seconds: Mapped[int] = mapped_column(Integer, default=45, server_default="45")
    # When the device last opened its page or connected (at most once a minute is written).
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    branch: Mapped[Branch] = relationship()
