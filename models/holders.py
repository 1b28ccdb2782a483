"""Who may act at a counter: the person holding it. Others take it over explicitly (open with force)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from .errors import CounterTaken
from .org import Counter, Staff


def require_holder(session: Session, counter: Counter, staff_id: int | None) -> None:
    """Refuse (409 counter_taken, naming the holder) unless `staff_id` holds `counter`;
    staff_id None is the system itself (sweeps, tests of the engine)."""
    if staff_id is None or counter.staff_id == staff_id:
        return
    holder = session.get(Staff, counter.staff_id) if counter.staff_id is not None else None
    if holder is None:
        raise CounterTaken(f"counter {counter.name} is not yours; take it first", counter=counter.id, holder=None)
    name = holder.display_name or holder.username
    raise CounterTaken(f"counter {counter.name} is held by {name}; take it over to act there",
                       counter=counter.id, holder=holder.username, holder_name=name)
