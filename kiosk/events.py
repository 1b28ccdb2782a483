"""/ticket: a visitor's phone follows its own ticket (status pushed on every change of it)."""
from __future__ import annotations

from flask_socketio import Namespace, emit, join_room

from models import NotFound
from okenko.realtime import TICKET, ticket_room, ticket_status_message


class TicketNamespace(Namespace):
    def __init__(self) -> None:
        super().__init__(TICKET)

    def on_connect(self, auth=None):
        token = str((auth or {}).get("token", ""))[:64] if isinstance(auth, dict) else ""
        # In the room before reading the status: a change in between is then pushed, not lost.
        join_room(ticket_room(token))
        try:
            status = ticket_status_message(token)
        except NotFound:
            raise ConnectionRefusedError("unknown ticket") from None
        emit("status", status)
