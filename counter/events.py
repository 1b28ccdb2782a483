"""/counter: a console follows its counter (its tickets) and its branch (calls and queues); the
reception page follows a branch only (`{"branch": CODE}`: calls, queues and kiosks' calls for staff)."""
from __future__ import annotations

from flask_socketio import Namespace, join_room
from sqlalchemy import select

from models import Branch, Counter
from models.fields import TOKEN, fit
from okenko.api.errors import ApiError
from okenko.auth import COUNTER_ROLES, FRONT_DESK_ROLES, Caller, authenticate_header, may
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
                caller = authenticate_header(f"Bearer {fit(str(auth['token']), TOKEN)}")
            except ApiError:
                caller = None
        if caller is not None and "counter" not in auth and isinstance(auth.get("branch"), str):
            return _follow_branch(caller, fit(auth["branch"], Branch.code))
        if caller is None or not may(caller.staff, COUNTER_ROLES):
            raise ConnectionRefusedError("unauthorized: send a staff token of a counter role")
        counter_id = auth.get("counter")
        if not isinstance(counter_id, int):
            raise ConnectionRefusedError("unknown counter")
        with runtime().reader() as session:
            branch = session.execute(select(Branch.code).join(Counter, Counter.branch_id == Branch.id)
                                     .where(Counter.id == counter_id)).scalar_one_or_none()
        if branch is None:
            raise ConnectionRefusedError("unknown counter")
        # The rooms' messages carry tickets' tokens: only for people working at that branch.
        if not may(caller.staff, COUNTER_ROLES, branch):
            raise ConnectionRefusedError(f"forbidden: you do not work at branch '{branch}'")
        join_room(counter_room(counter_id))
        join_room(branch_room(branch))


def _follow_branch(caller: Caller, code: str) -> None:
    """The reception page: a branch's calls, queues and kiosks' calls for staff, for those working there."""
    with runtime().reader() as session:
        if session.execute(select(Branch.id).where(Branch.code == code)).scalar_one_or_none() is None:
            raise ConnectionRefusedError("unknown branch")
    if not may(caller.staff, FRONT_DESK_ROLES, code):
        raise ConnectionRefusedError(f"forbidden: send a front-desk staff token of branch '{code}'")
    join_room(branch_room(code))


def _session_caller() -> Caller | None:
    """A console page connects with its staff session cookie."""
    from flask_login import current_user
    if current_user and current_user.is_authenticated:
        return Caller(staff=current_user.identity)
    return None
