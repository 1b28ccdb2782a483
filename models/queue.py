"""Tickets, their per-day numbering, appointments and the append-only event log."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .org import Branch, Counter, Service
from .states import TicketStatus


class TicketSequence(Base):
    """The last number given for (branch, service, service day); bumped atomically."""

    __tablename__ = "ticket_sequence"

    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    service_day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


# Not a plain walk-in: the predicate of ix_ticket_special, written the same in the queries that use it.
SPECIAL = "due_at IS NOT NULL OR target_counter_id IS NOT NULL"


class Ticket(Base):
    __tablename__ = "ticket"
    __table_args__ = (
        # The safety net under the atomic numbering.
        UniqueConstraint("branch_id", "issued_service_id", "service_day", "number"),
        # Covers the queue counts (position, waiting) and call-next without reading the table: a
        # position counts ranges of priority and effective time, filtered on the columns after them.
        Index("ix_ticket_queue", "branch_id", "service_day", "service_id", "status", "priority",
              "effective_at", "due_at", "target_counter_id", "language", "id"),
        # Checked-in appointments of a queue by their time (the due ones rank first).
        Index("ix_ticket_due", "branch_id", "service_day", "service_id", "status", "due_at"),
        # The tickets that are not plain walk-ins (models/tally.py counts those): appointments and
        # tickets sent to one counter, counted for positions without stepping over the others.
        Index("ix_ticket_special", "branch_id", "service_day", "service_id", "status", "priority",
              "effective_at", "due_at", "target_counter_id", "language", "id",
              sqlite_where=text(SPECIAL), postgresql_where=text(SPECIAL)),
        # A branch's called tickets (displays), not read through the day's whole queue.
        Index("ix_ticket_day_status", "branch_id", "service_day", "status"),
        # Recent service times of a service (estimated wait).
        Index("ix_ticket_finished", "branch_id", "service_id", "status", "finished_at"),
        Index("ix_ticket_counter_status", "counter_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    # The queue it waits in now; changes on transfer.
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    # The service whose sequence gave the number; never changes.
    issued_service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    service_day: Mapped[date] = mapped_column(Date)
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(12))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default=TicketStatus.WAITING.value)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    # Public, unguessable id for the phone status page (≥128 bits).
    token: Mapped[str] = mapped_column(String(40), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Its place in time: the issue time, kept through transfers.
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # For a checked-in appointment: when it is due; call-next serves due ones first.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    call_count: Mapped[int] = mapped_column(Integer, default=0)
    # The counter that called it (current or last).
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id", ondelete="SET NULL"))
    # A transfer to one specific counter: only that counter calls it.
    target_counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id", ondelete="SET NULL"))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id", ondelete="SET NULL"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id", ondelete="SET NULL"))
    # The wait in minutes the visitor was told at issue (None: no counter was open); statistics
    # compare it with the real wait.
    estimated_wait_minutes: Mapped[int | None] = mapped_column(Integer)

    branch: Mapped[Branch] = relationship()
    service: Mapped[Service] = relationship(foreign_keys=[service_id])
    counter: Mapped[Counter | None] = relationship(foreign_keys=[counter_id])


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    SERVED = "served"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class SlotBooking(Base):
    """How many appointments hold one slot; bumped only while below capacity, in one statement,
    so two visitors booking the last place never both get it."""

    __tablename__ = "slot_booking"

    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), primary_key=True)
    start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class Appointment(Base):
    """A booked slot; check-in at the kiosk turns it into a ticket."""

    __tablename__ = "appointment"
    __table_args__ = (
        Index("ix_appointment_slot", "branch_id", "service_id", "start"),
        Index("ix_appointment_status_start", "status", "start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default=AppointmentStatus.BOOKED.value)
    # Optional phone or e-mail, erased after the retention period.
    contact: Mapped[str] = mapped_column(String(200), default="")
    # The ticket that referred the client here (statistics only).
    referral_ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket.id", ondelete="SET NULL", use_alter=True))  # ticket ↔ appointment cycle
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped by every change a visitor's calendar must follow (rebooked, cancelled): its SEQUENCE.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    branch: Mapped[Branch] = relationship()
    service: Mapped[Service] = relationship()


class Event(Base):
    """Append-only record of every state change: audit trail and source of statistics."""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("branch_id", "seq"),
        Index("ix_event_type_at", "type", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    # Gap-free per branch; realtime clients use it to notice missed messages.
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"), index=True)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id", ondelete="SET NULL"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="SET NULL"))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
