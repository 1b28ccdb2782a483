"""Data model and queue engine. Plain Python + SQLAlchemy: nothing here imports Flask."""
from .base import Base, utcnow
from .bus import EventBus, PublishedEvent
from .content import Display, Slide
from .engine import INTERVENTION_TOPICS, QueueEngine
from .errors import Conflict, DomainError, IllegalTransition, InvalidInput, NotFound
from . import interpreting
from .interpreting import InterpreterRequest, RequestStatus
from .printing import PrintJob, PrintStatus
from .org import Branch, Counter, Device, DeviceKind, Role, Service, Staff
from .queue import Appointment, AppointmentStatus, Event, SlotBooking, Ticket, TicketSequence
from .appointments import AppointmentBook, AppointmentView, CheckInRefused, SlotFull
from .states import CounterState, TicketAction, TicketStatus

__all__ = [
    "Appointment", "AppointmentBook", "AppointmentStatus", "AppointmentView", "CheckInRefused", "Base", "Branch", "Conflict", "Counter", "CounterState",
    "Device", "DeviceKind", "Display", "DomainError", "Event", "EventBus", "INTERVENTION_TOPICS",
    "IllegalTransition", "InterpreterRequest", "interpreting", "InvalidInput", "RequestStatus", "NotFound", "PrintJob", "PrintStatus", "PublishedEvent", "QueueEngine", "Role",
    "Service", "Slide", "SlotBooking", "SlotFull", "Staff", "Ticket", "TicketAction", "TicketSequence", "TicketStatus", "utcnow",
]
