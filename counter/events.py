"""/counter: a console follows its counter (its tickets) and its branch (calls and queues)."""
from __future__ import annotations

from flask_socketio import Namespace, join_room
from sqlalchemy import select

from models import Branch, Counter
from okenko.api.errors import ApiError
from okenko.auth import COUNTER_ROLES, Caller, authenticate_header
from okenko.realtime import COUNTER, branch_room, counter_room
from okenko.runtime import runtime


class CounterNamespace(Namespace):
    def __init__(self) -> None:
        super().__init__(COUNTER)

    def on_connect(self, auth=None):
        auth = auth if isinstance(auth, dict) else {}
        caller = _session_caller()
        if caller is None and auth.get("token"):
            try:
                caller = authenticate_header(f"Bearer {str(auth['token'])[:512]}")
            except ApiError:
                caller = None
        if caller is None or caller.staff is None or caller.staff.role not in {str(r) for r in COUNTER_ROLES}:
            raise ConnectionRefusedError("unauthorized: send a staff token of a counter role")
        counter_id = auth.get("counter")
        with runtime().reader() as session:
            branch = session.execute(select(Branch.code).join(Counter, Counter.branch_id == Branch.id)
                                     .where(Counter.id == counter_id)).scalar_one_or_none()
        if not isinstance(counter_id, int) or branch is None:
            raise ConnectionRefusedError("unknown counter")
        join_room(counter_room(counter_id))
        join_room(branch_room(branch))


def _session_caller() -> Caller | None:
    """A console page connects with its staff session cookie."""
    from flask_login import current_user
    if current_user and current_user.is_authenticated:
        return Caller(staff=current_user.identity)
    return None
