"""The ticket and counter state machines: which action moves which state where."""
from __future__ import annotations

from enum import StrEnum

from .errors import IllegalTransition


class TicketStatus(StrEnum):
    WAITING = "waiting"      # in the queue of its service
    CALLED = "called"        # shown on displays, the visitor walks to the counter
    SERVING = "serving"      # the counsellor started the intervention
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class TicketAction(StrEnum):
    CALL = "call"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no-show"
    TRANSFER = "transfer"
    CANCEL = "cancel"


W, C, S = TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING

# action -> (states it may start from, state it leads to)
TICKET_TRANSITIONS: dict[TicketAction, tuple[frozenset[TicketStatus], TicketStatus]] = {
    TicketAction.CALL: (frozenset({W}), C),
    TicketAction.RECALL: (frozenset({C}), C),
    TicketAction.START: (frozenset({C}), S),
    TicketAction.FINISH: (frozenset({S}), TicketStatus.DONE),
    TicketAction.NO_SHOW: (frozenset({C}), TicketStatus.NO_SHOW),
    # A transfer puts the ticket back in a queue (another service), keeping its place in time.
    TicketAction.TRANSFER: (frozenset({C, S}), W),
    TicketAction.CANCEL: (frozenset({W, C}), TicketStatus.CANCELLED),
}

ACTIVE_AT_COUNTER = frozenset({C, S})


def next_ticket_status(current: str, action: TicketAction) -> TicketStatus:
    """The state `action` leads to from `current`, or IllegalTransition."""
    sources, target = TICKET_TRANSITIONS[action]
    if TicketStatus(current) not in sources:
        raise IllegalTransition(
            f"cannot {action.value} a ticket that is {TicketStatus(current).value.replace('_', '-')}",
            action=action.value,
            status=str(current),
        )
    return target


class CounterState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


class CounterAction(StrEnum):
    OPEN = "open"
    PAUSE = "pause"
    RESUME = "resume"
    CLOSE = "close"


O, P, X = CounterState.OPEN, CounterState.PAUSED, CounterState.CLOSED

COUNTER_TRANSITIONS: dict[CounterAction, tuple[frozenset[CounterState], CounterState]] = {
    CounterAction.OPEN: (frozenset({X, P, O}), O),  # re-opening changes staff or languages
    CounterAction.PAUSE: (frozenset({O}), P),
    CounterAction.RESUME: (frozenset({P}), O),
    CounterAction.CLOSE: (frozenset({O, P}), X),
}


def next_counter_state(current: str, action: CounterAction) -> CounterState:
    sources, target = COUNTER_TRANSITIONS[action]
    if CounterState(current) not in sources:
        raise IllegalTransition(
            f"cannot {action.value} a counter that is {CounterState(current).value}",
            action=action.value,
            state=str(current),
        )
    return target
