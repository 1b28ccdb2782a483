"""The interpreter desk: a counter asks for an interpreter of the client's language; an interpreter
who speaks it accepts and goes there, and finishes it. Interpreting time is recorded as its own event.
A request closes by itself when its client leaves the counter (finished, no-show, cancelled,
transferred away): the engine calls `close_requests_of` in that same transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, UTCDateTime, utcnow
from .errors import Conflict, IllegalTransition, NotFound
from .holders import require_holder
from .org import Counter, Staff
from .queue import Ticket
from .states import ACTIVE_AT_COUNTER

if TYPE_CHECKING:  # the engine imports this module
    from .engine import QueueEngine, UnitOfWork

LATE_AFTER_MINUTES = 5


class RequestStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DONE = "done"
    CANCELLED = "cancelled"


OPEN, ACCEPTED = RequestStatus.OPEN.value, RequestStatus.ACCEPTED.value
STILL_NEEDED = (OPEN, ACCEPTED)  # an interpreter is wanted or on the way


class InterpreterRequest(Base):
    __tablename__ = "interpreter_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"), index=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10), default=RequestStatus.OPEN.value)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    interpreter_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)




@dataclass(frozen=True)
class RequestView:
    id: int
    ticket: str
    ticket_id: int
    language: str
    status: str
    counter: dict | None
    requested_at: datetime
    waited_minutes: int
    late: bool
    interpreter: dict | None

    def json(self) -> dict:
        return {"id": self.id, "ticket": self.ticket, "ticket_id": self.ticket_id, "language": self.language,
                "status": self.status, "counter": self.counter, "requested_at": self.requested_at.isoformat(),
                "waited_minutes": self.waited_minutes, "late": self.late, "interpreter": self.interpreter}


class InterpreterDesk:
    """Requests for interpreters: ask, list, accept, finish. One transaction of the queue engine each."""

    def __init__(self, engine: QueueEngine):
        self.engine = engine

    def request(self, ticket_id: int, *, staff_id: int | None) -> RequestView:
        """The holder of the ticket's counter asks for an interpreter of the client's language."""
        with self.engine.transaction() as work:
            session: Session = work.session
            ticket = session.get(Ticket, ticket_id, with_for_update=True)
            if ticket is None:
                raise NotFound(f"no ticket with id {ticket_id}")
            if ticket.status not in ACTIVE_AT_COUNTER or ticket.counter_id is None:
                raise IllegalTransition("an interpreter is requested for a client at a counter",
                                        status=ticket.status)
            require_holder(session, ticket.counter, staff_id)
            if active_request(session, ticket.id) is not None:
                raise Conflict(f"an interpreter is already requested for {ticket.label}")
            request = InterpreterRequest(branch_id=ticket.branch_id, ticket_id=ticket.id,
                                         counter_id=ticket.counter_id, language=ticket.language,
                                         status=OPEN, requested_by=staff_id, created_at=work.now)
            session.add(request)
            session.flush()
            work.record_ticket("interpreter.requested", ticket, counter=ticket.counter, staff_id=staff_id,
                               request=request.id, language=ticket.language)
            return _view(session, request, work.now)

    def open_requests(self, branch_id: int, languages: list[str] | None) -> list[RequestView]:
        """Requests still needing or having an interpreter, oldest first; only `languages` if given."""
        with self.engine.read() as session:
            statement = select(InterpreterRequest).where(InterpreterRequest.status.in_(STILL_NEEDED),
                                                         InterpreterRequest.branch_id == branch_id)
            if languages is not None:
                statement = statement.where(InterpreterRequest.language.in_(languages))
            now = self.engine.clock()
            return [_view(session, r, now) for r in
                    session.execute(statement.order_by(InterpreterRequest.created_at)).scalars()]

    def accept(self, request_id: int, *, staff_id: int) -> RequestView:
        """An interpreter who speaks the request's language goes to that counter."""
        with self.engine.transaction() as work:
            request, ticket = _request(work.session, request_id)
            if request.status != OPEN:
                raise IllegalTransition(f"this request is {request.status}", status=request.status)
            interpreter = work.session.get(Staff, staff_id)
            if request.language not in (interpreter.languages or ()):
                raise LanguageNotSpoken(f"you do not interpret {request.language}; your languages: "
                                        f"{', '.join(interpreter.languages or ()) or 'none'}",
                                        language=request.language)
            request.status, request.interpreter_id, request.accepted_at = ACCEPTED, staff_id, work.now
            work.record_ticket("interpreter.accepted", ticket, counter=_counter(work.session, request),
                               staff_id=staff_id, request=request.id, language=request.language,
                               interpreter=interpreter.display_name or interpreter.username,
                               waited_s=int((work.now - request.created_at).total_seconds()))
            return _view(work.session, request, work.now)

    def finish(self, request_id: int, *, staff_id: int) -> RequestView:
        """The interpreter who accepted ends interpreting."""
        with self.engine.transaction() as work:
            request, ticket = _request(work.session, request_id)
            if request.status != ACCEPTED:
                raise IllegalTransition(f"this request is {request.status}", status=request.status)
            if request.interpreter_id != staff_id:
                raise NotYourRequest("only the interpreter who accepted this request may finish it")
            request.status, request.finished_at = RequestStatus.DONE.value, work.now
            work.record_ticket("interpreter.finished", ticket, counter=_counter(work.session, request),
                               staff_id=staff_id, request=request.id, language=request.language,
                               interpreting_s=int((work.now - request.accepted_at).total_seconds()))
            return _view(work.session, request, work.now)


class LanguageNotSpoken(Conflict):
    code = "language_not_spoken"


class NotYourRequest(Conflict):
    code = "not_your_request"


def close_requests_of(work: UnitOfWork, ticket: Ticket, *, reason: str, staff_id: int | None) -> None:
    """The ticket left its counter: its open or accepted request closes, with an event that tells
    the interpreters' consoles to drop it."""
    request = active_request(work.session, ticket.id)
    if request is None:
        return
    ended = RequestStatus.DONE.value if request.status == ACCEPTED else RequestStatus.CANCELLED.value
    request.status, request.finished_at = ended, work.now
    work.record_ticket("interpreter.closed", ticket, counter=_counter(work.session, request), staff_id=staff_id,
                       request=request.id, language=request.language, status=ended, because=reason)


def active_request(session: Session, ticket_id: int) -> InterpreterRequest | None:
    return session.execute(select(InterpreterRequest).where(
        InterpreterRequest.ticket_id == ticket_id, InterpreterRequest.status.in_(STILL_NEEDED))).scalars().first()


def _request(session: Session, request_id: int) -> tuple[InterpreterRequest, Ticket]:
    request = session.get(InterpreterRequest, request_id, with_for_update=True)
    if request is None:
        raise NotFound(f"no interpreter request with id {request_id}")
    return request, session.get(Ticket, request.ticket_id)


def _counter(session: Session, request: InterpreterRequest) -> Counter | None:
    return session.get(Counter, request.counter_id) if request.counter_id else None


def _view(session: Session, item: InterpreterRequest, now: datetime) -> RequestView:
    ticket = session.get(Ticket, item.ticket_id)
    counter = _counter(session, item)
    interpreter = session.get(Staff, item.interpreter_id) if item.interpreter_id else None
    waited = int(((item.accepted_at or now) - item.created_at).total_seconds() // 60)
    return RequestView(
        id=item.id, ticket=ticket.label, ticket_id=ticket.id, language=item.language, status=item.status,
        counter=None if counter is None else {"id": counter.id, "name": counter.name},
        requested_at=item.created_at, waited_minutes=waited, late=item.status == OPEN and waited >= LATE_AFTER_MINUTES,
        interpreter=None if interpreter is None else {"id": interpreter.id,
                                                      "name": interpreter.display_name or interpreter.username})
