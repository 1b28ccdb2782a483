"""Data model and queue engine. Plain Python + SQLAlchemy: nothing here imports Flask."""
from .base import Base, utcnow
from .bus import EventBus, PublishedEvent
from .content import Display, Slide
from .engine import QueueEngine
from .errors import Conflict, CounterTaken, DomainError, IllegalTransition, InvalidInput, NotFound
from . import interpreting
from .interpreting import InterpreterDesk, InterpreterRequest, RequestStatus
from .printing import KioskPrinter, PrintJob, PrintLog, PrintOutcome, PrintStatus
from .org import Branch, Counter, Device, DeviceKind, Role, Service, Staff
from .queue import Appointment, AppointmentStatus, Event, SlotBooking, Ticket, TicketSequence
from .tally import QueueTally
from .accounts import SessionKind, StaffAccounts, StaffIdentity, StaffSession
from .topics import Topic, active_topics
from .audit import AuditEvent
from .pairing import PairingRequest
from .appointments import AppointmentBook, AppointmentView, CheckInRefused, SlotFull
from .stat_tables import StatDay, StatHour, StatRollup, StatTopic
from .states import CounterState, TicketAction, TicketStatus

__all__ = [
    "Appointment", "AppointmentBook", "AppointmentStatus", "AppointmentView", "CheckInRefused", "Base", "Branch", "Conflict", "Counter", "CounterState",
    "AuditEvent", "PairingRequest", "Topic", "active_topics",
    "Device", "DeviceKind", "Display", "DomainError", "Event", "EventBus",
    "CounterTaken", "IllegalTransition", "InterpreterDesk", "InterpreterRequest", "interpreting", "InvalidInput", "RequestStatus", "NotFound", "KioskPrinter", "PrintOutcome", "PrintJob", "PrintLog", "PrintStatus", "PublishedEvent", "QueueEngine", "QueueTally", "Role",
    "Service", "SessionKind", "Slide", "StatDay", "StatHour", "StatRollup", "StatTopic", "StaffAccounts", "StaffIdentity", "StaffSession", "SlotBooking", "SlotFull", "Staff", "Ticket", "TicketAction", "TicketSequence", "TicketStatus", "utcnow",
]
