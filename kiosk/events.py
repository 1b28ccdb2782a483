"""/ticket: a visitor's phone follows its own ticket (status pushed on every change of it)."""
from __future__ import annotations

from flask_socketio import Namespace, emit, join_room

from sqlalchemy import select

from models import Branch, NotFound, Ticket
from models.fields import fit
from okenko.api.serialize import ticket_status_json
from okenko.realtime import TICKET, ticket_room
from okenko.runtime import runtime

from .texts import phone_texts


def ticket_status_message(token: str) -> dict:
    """What a phone gets: the public status with sentences in the ticket's language."""
    view = runtime().queue.ticket_by_token(token)
    return ticket_status_json(view) | {"texts": phone_texts(view)}


def connecting_ticket_status(token: str) -> dict:
    """A phone's first message after (re)connecting: the status, with the branch's sequence number
    read before it (the status is at least that new), like every later `status` message."""
    with runtime().reader() as session:
        seq = session.execute(select(Branch.event_seq).join(Ticket, Ticket.branch_id == Branch.id)
                              .where(Ticket.token == token)).scalar_one_or_none()
    if seq is None:
        raise NotFound("no ticket with this token")
    return ticket_status_message(token) | {"seq": seq}


class TicketNamespace(Namespace):
    def __init__(self) -> None:
        super().__init__(TICKET)

    def on_connect(self, auth=None):
        token = fit(str((auth or {}).get("token", "")), Ticket.token) if isinstance(auth, dict) else ""
        # In the room before reading the status: a change in between is then pushed, not lost.
        join_room(ticket_room(token))
        try:
            status = connecting_ticket_status(token)
        except NotFound:
            raise ConnectionRefusedError("unknown ticket") from None
        emit("status", status)
