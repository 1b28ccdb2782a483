"""Every ticket action from every state, and every counter action from every state, via the engine."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from models import Conflict, Event, IllegalTransition, Ticket, TicketAction, TicketStatus
from models.states import CounterAction, CounterState

ALL_PAIRS = [(action, status) for action in TicketAction for status in TicketStatus]

# The rules, written out (not read from models.states): action → (states it may start from, state it leads to).
TICKET_RULES = {
    "call": ({"waiting"}, "called"),
    "recall": ({"called"}, "called"),
    "start": ({"called"}, "serving"),
    "finish": ({"serving"}, "done"),
    "no-show": ({"called"}, "no_show"),          # not from serving: someone being served did show up
    "transfer": ({"called", "serving"}, "waiting"),
    "cancel": ({"waiting", "called"}, "cancelled"),  # not from serving: finish or transfer instead
}
COUNTER_RULES = {
    "open": ({"closed", "paused", "open"}, "open"),
    "pause": ({"open"}, "paused"),
    "resume": ({"paused"}, "open"),
    "close": ({"open", "paused"}, "closed"),
}


def _ticket_in(db, queue, world, status: TicketStatus) -> int:
    """A ticket brought to `status` the way staff would, through the engine."""
    counter = world.counters["desk-a"]
    queue.open_counter(counter, staff_id=world.staff["anna"])
    ticket = queue.issue_ticket("b1", "assistance", "cs")
    if status == TicketStatus.WAITING:
        return ticket.id
    if status == TicketStatus.CANCELLED:
        return queue.cancel(ticket.id).id
    queue.call_next(counter)
    steps = {TicketStatus.CALLED: [], TicketStatus.SERVING: [queue.start],
             TicketStatus.DONE: [queue.start, queue.finish], TicketStatus.NO_SHOW: [queue.no_show]}
    for step in steps[status]:
        step(ticket.id)
    return ticket.id


def _perform(queue, world, action: TicketAction, ticket_id: int):
    if action == TicketAction.CALL:
        return queue.call_next(world.counters["desk-a"])
    if action == TicketAction.TRANSFER:
        return queue.transfer(ticket_id, "residence")
    method = {TicketAction.RECALL: queue.recall, TicketAction.START: queue.start,
              TicketAction.FINISH: queue.finish, TicketAction.NO_SHOW: queue.no_show,
              TicketAction.CANCEL: queue.cancel}[action]
    return method(ticket_id)


@pytest.mark.parametrize(("action", "status"), ALL_PAIRS, ids=[f"{a.value}-from-{s.value}" for a, s in ALL_PAIRS])
def test_ticket_transition(db, queue, world, action, status):
    ticket_id = _ticket_in(db, queue, world, status)
    sources, target = TICKET_RULES[action.value]
    events_before = _event_count(db)
    if status in sources:
        view = _perform(queue, world, action, ticket_id)
        assert view is not None and view.id == ticket_id
        assert view.status == target
        assert _event_count(db) == events_before + 1
    else:
        # Call-next never raises for a ticket that is not waiting: it just does not pick it.
        if action == TicketAction.CALL:
            if status in (TicketStatus.CALLED, TicketStatus.SERVING):
                with pytest.raises(Conflict):  # the counter is still busy with it
                    _perform(queue, world, action, ticket_id)
            else:
                assert _perform(queue, world, action, ticket_id) is None
        else:
            with pytest.raises(IllegalTransition) as raised:
                _perform(queue, world, action, ticket_id)
            assert raised.value.details["status"] == status.value
        assert _status(db, ticket_id) == status
        assert _event_count(db) == events_before


COUNTER_PAIRS = [(action, state) for action in CounterAction for state in CounterState]


@pytest.mark.parametrize(("action", "state"), COUNTER_PAIRS,
                         ids=[f"{a.value}-from-{s.value}" for a, s in COUNTER_PAIRS])
def test_counter_transition(db, queue, world, action, state):
    counter = world.counters["desk-a"]
    with db.writer() as session, session.begin():
        session.execute(update(_counter_table()).where(_counter_table().c.id == counter).values(state=state.value))
    sources, target = COUNTER_RULES[action.value]
    call = {CounterAction.OPEN: queue.open_counter, CounterAction.PAUSE: queue.pause_counter,
            CounterAction.RESUME: queue.resume_counter, CounterAction.CLOSE: queue.close_counter}[action]
    if state in sources:
        assert call(counter)["state"] == target
    else:
        with pytest.raises(IllegalTransition):
            call(counter)


def test_closing_a_counter_with_a_called_ticket_is_refused(queue, world):
    counter = world.counters["desk-a"]
    queue.open_counter(counter)
    queue.issue_ticket("b1", "assistance", "cs")
    queue.call_next(counter)
    with pytest.raises(Conflict, match="finish, mark no-show or transfer"):
        queue.close_counter(counter)


def test_paused_counter_cannot_call(queue, world):
    counter = world.counters["desk-a"]
    queue.open_counter(counter)
    queue.pause_counter(counter)
    queue.issue_ticket("b1", "assistance", "cs")
    with pytest.raises(Conflict, match="paused"):
        queue.call_next(counter)
    queue.resume_counter(counter)
    assert queue.call_next(counter).number == "A-001"


def test_taking_an_occupied_counter_needs_force_and_is_recorded(db, queue, world):
    counter = world.counters["desk-a"]
    queue.open_counter(counter, staff_id=world.staff["anna"])
    with pytest.raises(Conflict, match="taken by anna"):
        queue.open_counter(counter, staff_id=world.staff["ivan"])
    state = queue.open_counter(counter, staff_id=world.staff["ivan"], force=True, languages=["ru", "vi"])
    assert state["staff_id"] == world.staff["ivan"] and state["languages"] == ["ru", "vi"]
    with db.reader() as session:
        last = session.execute(select(Event).order_by(Event.seq.desc())).scalars().first()
    assert last.type == "counter.opened" and last.data["taken_over"] is True


def _counter_table():
    from models import Counter
    return Counter.__table__


def _event_count(db) -> int:
    with db.reader() as session:
        return len(session.execute(select(Event.id)).all())


def _status(db, ticket_id: int) -> str:
    with db.reader() as session:
        return session.get(Ticket, ticket_id).status
