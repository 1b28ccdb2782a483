"""The interpreter desk: a counter asks for an interpreter of the client's language; an interpreter
who speaks it accepts and goes there. Interpreting time is recorded as its own event."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, UTCDateTime, utcnow
from .errors import Conflict, IllegalTransition, NotFound
from .org import Counter, Staff
from .queue import Ticket
from .states import ACTIVE_AT_COUNTER


class RequestStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DONE = "done"
    CANCELLED = "cancelled"


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


def request_interpreter(work, ticket_id: int, *, staff_id: int | None) -> InterpreterRequest:
    session: Session = work.session
    ticket = session.get(Ticket, ticket_id, with_for_update=True)
    if ticket is None:
        raise NotFound(f"no ticket with id {ticket_id}")
    if ticket.status not in ACTIVE_AT_COUNTER or ticket.counter_id is None:
        raise IllegalTransition("an interpreter is requested for a client at a counter", status=ticket.status)
    if _active_request(session, ticket.id) is not None:
        raise Conflict(f"an interpreter is already requested for {ticket.label}")
    request = InterpreterRequest(branch_id=ticket.branch_id, ticket_id=ticket.id, counter_id=ticket.counter_id,
                                 language=ticket.language, requested_by=staff_id, created_at=work.now)
    session.add(request)
    session.flush()
    work.record_ticket("interpreter.requested", ticket, counter=ticket.counter, staff_id=staff_id,
                       request=request.id, language=ticket.language)
    return request


def accept(work, request_id: int, *, staff_id: int) -> InterpreterRequest:
    request, ticket = _request(work.session, request_id)
    if request.status != RequestStatus.OPEN:
        raise IllegalTransition(f"this request is {request.status}", status=request.status)
    interpreter = work.session.get(Staff, staff_id)
    request.status, request.interpreter_id, request.accepted_at = RequestStatus.ACCEPTED.value, staff_id, work.now
    work.record_ticket("interpreter.accepted", ticket, counter=_counter(work.session, request), staff_id=staff_id,
                       request=request.id, language=request.language,
                       interpreter=interpreter.display_name or interpreter.username,
                       waited_s=int((work.now - request.created_at).total_seconds()))
    return request


def finish(work, request_id: int, *, staff_id: int | None) -> InterpreterRequest:
    request, ticket = _request(work.session, request_id)
    if request.status != RequestStatus.ACCEPTED:
        raise IllegalTransition(f"this request is {request.status}", status=request.status)
    request.status, request.finished_at = RequestStatus.DONE.value, work.now
    work.record_ticket("interpreter.finished", ticket, counter=_counter(work.session, request), staff_id=staff_id,
                       request=request.id, language=request.language,
                       interpreting_s=int((work.now - request.accepted_at).total_seconds()))
    return request


def open_requests(session: Session, branch_id: int | None, languages: list[str]) -> list[InterpreterRequest]:
    statement = select(InterpreterRequest).where(
        InterpreterRequest.status.in_([RequestStatus.OPEN.value, RequestStatus.ACCEPTED.value]))
    if branch_id is not None:
        statement = statement.where(InterpreterRequest.branch_id == branch_id)
    if languages:
        statement = statement.where(InterpreterRequest.language.in_(languages))
    return list(session.execute(statement.order_by(InterpreterRequest.created_at)).scalars())


def _active_request(session: Session, ticket_id: int) -> InterpreterRequest | None:
    return session.execute(select(InterpreterRequest).where(
        InterpreterRequest.ticket_id == ticket_id,
        InterpreterRequest.status.in_([RequestStatus.OPEN.value, RequestStatus.ACCEPTED.value]))).scalars().first()


def _request(session: Session, request_id: int) -> tuple[InterpreterRequest, Ticket]:
    request = session.get(InterpreterRequest, request_id, with_for_update=True)
    if request is None:
        raise NotFound(f"no interpreter request with id {request_id}")
    return request, session.get(Ticket, request.ticket_id)


def _counter(session: Session, request: InterpreterRequest) -> Counter | None:
    return session.get(Counter, request.counter_id) if request.counter_id else None
