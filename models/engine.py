"""The queue engine: every state change of tickets and counters, one transaction each (kiosk taps
that arrive together share one: `issue_ticket`, models/group_commit.py).

Each method that changes state opens a write transaction, moves the ticket or counter through its
state machine, writes one Event row per change (with the branch's next sequence number), commits,
and only then publishes the events to the bus. The five reads (`ticket_by_token`, `ticket`,
`open_tickets`, `counter_overview`, `snapshot`) open a read-only session and change nothing.
No Flask here: the web layer calls these methods.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import date, datetime
from itertools import groupby

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.orm import Session, joinedload, selectinload, sessionmaker

from . import estimates, policy, snapshot
from .base import utcnow
from .bus import EventBus, PublishedEvent
from .driver import HotStatement
from .errors import Conflict, InvalidInput, NotFound, NotYourTicket
from .fields import REASON, fit
from .group_commit import GroupCommit
from .holders import require_holder
from .interpreting import close_requests_of
from .numbering import allocate_number, next_event_seqs, service_day, set_last_number, ticket_label
from .org import Branch, Counter, Service, Staff
from .queue import Appointment, AppointmentStatus, Event, Ticket
from .topics import active_topics
from .states import (
    ACTIVE_AT_COUNTER,
    CounterAction,
    TICKET_TRANSITIONS,
    CounterState,
    TicketAction,
    TicketStatus,
    next_counter_state,
    next_ticket_status,
)
from .views import TicketView, counter_ref, event_ticket, ticket_view

TOKEN_BYTES = 18  # 144 bits


class UnitOfWork:
    """One write transaction and the events it will publish after commit."""

    def __init__(self, session: Session, now: datetime):
        self.session = session
        self.now = now
        self.published: list[PublishedEvent] = []
        self._kept: dict[tuple, object] = {}
        self._deferred: list[tuple[str, dict]] | None = None
        # Per queue, the last ticket this transaction issued into it: (its kind, people ahead of it).
        self.issued_last: dict[tuple, tuple[tuple | None, int]] = {}
        self._numbers: dict[tuple, tuple[int, int]] = {}    # per queue: (first, last) number given

    def once(self, key: tuple, read: Callable[[], object]):
        """`read()` once per transaction: for what the transaction itself does not change (a service's
        settings and pace, read by every ticket of a batch, models/group_commit.py)."""
        if key not in self._kept:
            self._kept[key] = read()
        return self._kept[key]

    def next_number(self, branch_id: int, service_id: int, day: date) -> int:
        """The queue's next ticket number. The transaction's first takes it from the database, which
        holds the queue's row until commit (every other transaction wanting a number waits); the
        next ones count on in memory, and `store_numbers()` writes the last before the commit."""
        queue = (branch_id, service_id, day)
        given = self._numbers.get(queue)
        number = allocate_number(self.session, *queue) if given is None else given[1] + 1
        self._numbers[queue] = (given[0] if given else number, number)
        return number

    def store_numbers(self) -> None:
        for queue, (first, last) in self._numbers.items():
            if last != first:
                set_last_number(self.session, *queue, last)
        self._numbers.clear()

    def defer_events(self) -> None:
        """Record events only at `record_deferred()`: see QueueEngine._batch."""
        self._deferred = []

    def record_deferred(self) -> None:
        """The deferred events, branch by branch (lock order), each branch's sequence numbers taken
        in one statement and its events inserted in one."""
        deferred, self._deferred = self._deferred or [], None
        deferred.sort(key=_branch_of)                   # stable: in the order they were recorded
        for branch_id, events in groupby(deferred, key=_branch_of):
            events = list(events)
            self._insert(events, next_event_seqs(self.session, branch_id, len(events)))

    def record(self, type_: str, **fields) -> None:
        if self._deferred is not None:
            self._deferred.append((type_, fields))
        else:
            self._insert([(type_, fields)], next_event_seqs(self.session, fields["branch_id"]))

    def _insert(self, events: list[tuple[str, dict]], seqs: range) -> None:
        rows = []
        for seq, (type_, fields) in zip(seqs, events, strict=True):
            row, published = _event(type_, seq, self.now, **fields)
            rows.append(row)
            self.published.append(published)
        INSERT_EVENT.many(self.session, rows)

    def record_ticket(self, type_: str, ticket: Ticket, *, counter: Counter | None = None,
                      staff_id: int | None = None, **data) -> None:
        self.record(type_, branch_id=ticket.branch_id, branch_code=ticket.branch.code,
                    ticket=event_ticket(ticket), service_id=ticket.service_id, counter=counter,
                    staff_id=staff_id, **data)

    def record_counter(self, type_: str, counter: Counter, *, staff_id: int | None = None, **data) -> None:
        self.record(type_, branch_id=counter.branch_id, branch_code=counter.branch.code, counter=counter,
                    staff_id=staff_id, **data)


def _branch_of(event: tuple[str, dict]) -> int:
    return event[1]["branch_id"]


def _event(type_: str, seq: int, at: datetime, /, *, branch_id: int, branch_code: str, ticket: dict | None = None,
           service_id: int | None = None, counter: Counter | None = None, staff_id: int | None = None,
           **data) -> tuple[dict, PublishedEvent]:
    """An event's row, and what is published of it after commit."""
    row = {"branch_id": branch_id, "seq": seq, "type": type_, "at": at, "ticket_id": ticket["id"] if ticket else None,
           "counter_id": counter.id if counter else None, "service_id": service_id, "staff_id": staff_id,
           "data": data}
    return row, PublishedEvent(branch=branch_code, seq=seq, type=type_, at=at, ticket=ticket,
                               counter=counter_ref(counter), data=data)


class QueueEngine:
    def __init__(self, writer: sessionmaker[Session], reader: sessionmaker[Session] | None = None,
                 bus: EventBus | None = None, clock: Callable[[], datetime] = utcnow):
        self._writer = writer
        self._reader = reader or writer
        self.bus = bus or EventBus()
        self.clock = clock
        self.issuing = GroupCommit(self._batch)

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """One write transaction; its recorded events are published after it commits."""
        session = self._writer()
        with session.info.get("write_gate") or nullcontext():
            work = UnitOfWork(session, self.clock())
            try:
                yield work
                work.store_numbers()
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()
        self.bus.publish(work.published)

    @contextmanager
    def _batch(self) -> Iterator[UnitOfWork]:
        """A transaction for a batch of taps (models/group_commit.py) that takes its row locks in the
        order single tickets do, so that batches in several processes (PostgreSQL) never deadlock:
        the taps come sorted by branch and service, so the services' number rows are locked in that
        order, and their events, which lock their branch's sequence row, are recorded last."""
        with self.transaction() as work:
            work.defer_events()
            yield work
            work.record_deferred()

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = self._reader()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    # ---- issuing -------------------------------------------------------------------------

    def issue_ticket(self, branch_code: str, service_code: str, language: str, *,
                     priority: int = 0, device_id: int | None = None, staff_id: int | None = None) -> TicketView:
        """Taps that arrive together share one transaction (models/group_commit.py)."""
        return self.issuing.run(lambda work: issue_in(work, branch_code, service_code, language, priority=priority,
                                                       device_id=device_id, staff_id=staff_id),
                                order=(branch_code, service_code))

    # ---- counter side --------------------------------------------------------------------

    def call_next(self, counter_id: int, *, staff_id: int | None = None) -> TicketView | None:
        """Call the best waiting ticket for this counter, or None when nothing waits."""
        with self.transaction() as work:
            counter = _counter(work.session, counter_id, lock=True)
            if counter.state != CounterState.OPEN:
                raise Conflict(f"counter {counter.name} is {counter.state}; open it first",
                               counter_state=counter.state)
            require_holder(work.session, counter, staff_id)
            _refuse_if_busy(work.session, counter)
            ticket = _claim_best(work.session, counter, work.now)
            if ticket is None:
                return None
            work.record_ticket("ticket.called", ticket, counter=counter, staff_id=staff_id)
            return ticket_view(ticket)

    def recall(self, ticket_id: int, *, staff_id: int | None = None) -> TicketView:
        def apply(ticket: Ticket, now: datetime) -> dict:
            ticket.call_count += 1
            return {"call_count": ticket.call_count}
        return self._act(ticket_id, TicketAction.RECALL, "ticket.recalled", apply, staff_id)

    def start(self, ticket_id: int, *, staff_id: int | None = None) -> TicketView:
        def apply(ticket: Ticket, now: datetime) -> dict:
            ticket.started_at = now
            return {"waited_s": _seconds(ticket.effective_at, now)}
        return self._act(ticket_id, TicketAction.START, "ticket.started", apply, staff_id)

    def finish(self, ticket_id: int, *, staff_id: int | None = None,
               topics: list[str] | None = None) -> TicketView:
        if topics:
            with self._reader() as session:
                allowed = [topic.code for topic in active_topics(session)]
            unknown = sorted(set(topics) - set(allowed))
            if unknown:
                raise InvalidInput(f"unknown topic(s): {', '.join(unknown)}", allowed=allowed)

        def apply(ticket: Ticket, now: datetime) -> dict:
            ticket.finished_at = now
            _settle_appointment(ticket, AppointmentStatus.SERVED)
            return {"served_s": _seconds(ticket.started_at, now), "topics": sorted(set(topics or ()))}
        return self._act(ticket_id, TicketAction.FINISH, "ticket.finished", apply, staff_id)

    def no_show(self, ticket_id: int, *, staff_id: int | None = None) -> TicketView:
        def apply(ticket: Ticket, now: datetime) -> dict:
            ticket.finished_at = now
            _settle_appointment(ticket, AppointmentStatus.NO_SHOW)
            return {"call_count": ticket.call_count}
        return self._act(ticket_id, TicketAction.NO_SHOW, "ticket.no_show", apply, staff_id)

    def cancel(self, ticket_id: int, *, staff_id: int | None = None, reason: str = "",
               at_any_counter: bool = False) -> TicketView:
        """Cancel a waiting or called ticket: the reception desk any (`at_any_counter`), others only
        a ticket at the counter they hold."""
        def apply(ticket: Ticket, now: datetime) -> dict:
            ticket.finished_at = now
            _settle_appointment(ticket, AppointmentStatus.CANCELLED)
            return {"reason": fit(reason, REASON)}
        return self._act(ticket_id, TicketAction.CANCEL, "ticket.cancelled", apply, staff_id,
                         holder_only=not at_any_counter)

    def leave(self, token: str) -> TicketView:
        """The visitor gives up their place (from the phone page). Only while waiting: once called,
        a counter is expecting them and staff decide."""
        with self.read() as session:
            ticket_id = session.execute(select(Ticket.id).where(Ticket.token == token)).scalar_one_or_none()
        if ticket_id is None:
            raise NotFound("no ticket with this token")

        def apply(ticket: Ticket, now: datetime) -> dict:
            if ticket.status != TicketStatus.WAITING.value:
                raise Conflict(f"a {ticket.status} ticket cannot leave the queue", status=ticket.status)
            ticket.finished_at = now
            _settle_appointment(ticket, AppointmentStatus.CANCELLED)
            return {"reason": "left the queue"}
        return self._act(ticket_id, TicketAction.CANCEL, "ticket.cancelled", apply, None)

    def transfer(self, ticket_id: int, service_code: str, *, counter_id: int | None = None,
                 staff_id: int | None = None) -> TicketView:
        """Move the ticket to another service's queue (optionally one counter), keeping its place in time."""
        def apply(ticket: Ticket, now: datetime) -> dict:
            session = Session.object_session(ticket)
            target = _service_in_branch(session, ticket.branch, service_code)
            if counter_id is not None:
                _check_target_counter(session, ticket.branch, target, counter_id)
            previous = ticket.service.code
            served_s = _seconds(ticket.started_at, now)
            ticket.service, ticket.service_id = target, target.id
            ticket.target_counter_id = counter_id
            ticket.called_at = ticket.started_at = None
            return {"from_service": previous, "to_service": target.code,
                    "to_counter": counter_id, "served_s": served_s}
        return self._act(ticket_id, TicketAction.TRANSFER, "ticket.transferred", apply, staff_id,
                         with_estimate=True)

    def _act(self, ticket_id: int, action: TicketAction, event_type: str,
             apply: Callable[[Ticket, datetime], dict], staff_id: int | None,
             with_estimate: bool = False, holder_only: bool = True) -> TicketView:
        """Apply a ticket action for the person holding its counter (staff_id None: the system)."""
        with self.transaction() as work:
            ticket = work.session.get(Ticket, ticket_id, with_for_update=True)
            if ticket is None:
                raise NotFound(f"no ticket with id {ticket_id}")
            target = next_ticket_status(ticket.status, action)
            counter = ticket.counter
            if holder_only and staff_id is not None:
                if counter is None:
                    raise NotYourTicket(f"{ticket.label} is at no counter; only the reception desk may "
                                        f"{action.value} it", ticket=ticket.label)
                require_holder(work.session, counter, staff_id)
            data = apply(ticket, work.now)
            ticket.status = target.value
            work.session.flush()
            work.record_ticket(event_type, ticket, counter=counter, staff_id=staff_id, **data)
            if target not in ACTIVE_AT_COUNTER:
                # The client left this counter: an interpreter on the way is no longer needed.
                close_requests_of(work, ticket, reason=event_type, staff_id=staff_id)
            return _with_estimate(work.session, ticket, work.now) if with_estimate else ticket_view(ticket)

    # ---- counters ------------------------------------------------------------------------

    def open_counter(self, counter_id: int, *, staff_id: int | None = None,
                     languages: list[str] | None = None, force: bool = False) -> dict:
        """Staff takes the counter. Taking one that another person holds needs `force` (recorded)."""
        with self.transaction() as work:
            counter = _counter(work.session, counter_id, lock=True)
            taken_from = counter.staff_id if counter.staff_id not in (None, staff_id) else None
            if taken_from is not None and counter.state != CounterState.CLOSED and not force:
                holder = work.session.get(Staff, taken_from)
                raise Conflict(f"counter {counter.name} is taken by {holder.display_name or holder.username}",
                               staff=holder.username)
            counter.state = next_counter_state(counter.state, CounterAction.OPEN).value
            counter.staff_id = staff_id
            counter.languages = sorted(set(languages or ()))
            taken_over = taken_from is not None and force
            work.record_counter("counter.opened", counter, staff_id=staff_id,
                                languages=counter.languages, taken_over=taken_over,
                                **({"taken_from": taken_from} if taken_over else {}))
            return _counter_state(counter)

    def pause_counter(self, counter_id: int, *, staff_id: int | None = None) -> dict:
        return self._counter_action(counter_id, CounterAction.PAUSE, "counter.paused", staff_id)

    def resume_counter(self, counter_id: int, *, staff_id: int | None = None) -> dict:
        return self._counter_action(counter_id, CounterAction.RESUME, "counter.resumed", staff_id)

    def close_counter(self, counter_id: int, *, staff_id: int | None = None) -> dict:
        return self._counter_action(counter_id, CounterAction.CLOSE, "counter.closed", staff_id)

    def _counter_action(self, counter_id: int, action: CounterAction, event_type: str,
                        staff_id: int | None) -> dict:
        with self.transaction() as work:
            counter = _counter(work.session, counter_id, lock=True)
            require_holder(work.session, counter, staff_id)
            counter.state = next_counter_state(counter.state, action).value
            if action == CounterAction.CLOSE:
                _refuse_if_busy(work.session, counter)
                counter.staff_id, counter.languages = None, []
            work.record_counter(event_type, counter, staff_id=staff_id)
            return _counter_state(counter)

    # ---- reading -------------------------------------------------------------------------

    def ticket_by_token(self, token: str) -> TicketView:
        with self.read() as session:
            ticket = session.execute(TICKET_BY_TOKEN, {"token": token}).scalar_one_or_none()
            if ticket is None:
                raise NotFound("no ticket with this token")
            return _with_estimate(session, ticket, self.clock())

    def ticket(self, ticket_id: int) -> TicketView:
        with self.read() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound(f"no ticket with id {ticket_id}")
            return _with_estimate(session, ticket, self.clock())

    def open_tickets(self, branch_code: str) -> list[dict]:
        with self.read() as session:
            return snapshot.open_tickets(session, branch_code, self.clock())

    def counter_overview(self, counter_id: int) -> dict:
        with self.read() as session:
            return snapshot.counter_overview(session, counter_id, self.clock())

    def snapshot(self, branch_code: str, recent: int = 10) -> dict:
        """What a display needs, with the sequence number of the last event it includes."""
        with self.read() as session:  # snapshot: a read model, kept apart from state changes
            return snapshot.branch_snapshot(session, branch_code, self.clock(), recent)


# ---- helpers (all run inside the caller's transaction) ----------------------------------------

def issue_in(work: UnitOfWork, branch_code: str, service_code: str, language: str, *, priority: int = 0,
             device_id: int | None = None, staff_id: int | None = None, due_at: datetime | None = None,
             appointment_id: int | None = None) -> TicketView:
    """Issue a ticket inside `work` (a kiosk tap, or an appointment's check-in). The busiest path,
    so it runs prepared Core statements, not ORM units."""
    target = work.once(("issue_target", branch_code, service_code),
                       lambda: _issue_target(work.session, branch_code, service_code))
    check_language(target.service_code, target.service_languages or target.branch_languages, language)
    day = service_day(target.timezone, work.now)
    # Read before the number: on PostgreSQL its row stays locked until commit, and every kiosk of the
    # service waits for it. The count of those ahead comes after it, so it sees the previous ticket.
    pace = work.once(("pace", target.service_id),
                     lambda: estimates.pace(work.session, target.branch_id, target.service_id, target.expected_minutes))
    number = work.next_number(target.branch_id, target.service_id, day)
    values = {
        "branch_id": target.branch_id, "service_id": target.service_id,
        "issued_service_id": target.service_id, "service_day": day, "number": number,
        "label": ticket_label(target.prefix, number), "language": language,
        "status": TicketStatus.WAITING.value, "priority": target.priority + priority,
        "token": secrets.token_urlsafe(TOKEN_BYTES), "issued_at": work.now,
        "effective_at": work.now, "due_at": due_at, "call_count": 0,
        "appointment_id": appointment_id, "device_id": device_id,
    }
    # Where it stands, before it exists: every waiting ticket has a smaller id than the new one, so a
    # larger-than-any id ranks it exactly as its own will. The estimate then goes in with the insert.
    queue, kind = (target.branch_id, target.service_id, day), _walk_in_kind(language, values["priority"], due_at)
    behind = work.issued_last.get(queue)
    if kind is not None and behind is not None and behind[0] == kind:
        # Right after a walk-in of the same kind, in the same queue and transaction (a batch of
        # taps): it ranks just behind that one, and nothing can rank between them (same language,
        # priority and time; the next id). So those ahead are that one's plus that one.
        ahead = behind[1] + 1
        wait = pace.wait(ahead)
    else:
        place = estimates.Place(policy.Candidate(NOT_YET_INSERTED, target.service_id, language, values["priority"],
                                                 work.now, due_at, None, target.needs_language_match),
                                target.branch_id, day)
        ahead, wait = estimates.standing(work.session, place, work.now, target.expected_minutes, pace)
    work.issued_last[queue] = (kind, ahead)
    values["estimated_wait_minutes"] = wait          # what the visitor is told, for the statistics
    values["id"] = INSERT_TICKET.scalar(work.session, **values)
    published = {"id": values["id"], "number": values["label"], "token": values["token"],
                 "status": values["status"], "service": target.service_code,
                 "service_names": dict(target.names), "language": language,
                 "appointment": appointment_id is not None}
    # The event last: its sequence number locks the branch's row until commit, and every kiosk of the
    # branch (in every process) waits for that lock, so nothing else should run while it is held.
    work.record("ticket.issued", branch_id=target.branch_id, branch_code=target.branch_code,
                ticket=published, service_id=target.service_id, staff_id=staff_id)
    return TicketView(
        id=values["id"], number=values["label"], token=values["token"], status=values["status"],
        branch=target.branch_code, service=target.service_code, service_names=dict(target.names),
        language=language, priority=values["priority"], issued_at=work.now, called_at=None,
        counter=None, position=ahead + 1, people_ahead=ahead, estimated_wait_minutes=wait,
        appointment=appointment_id is not None, appointment_at=due_at, timezone=target.timezone,
    )


def _walk_in_kind(language: str, priority: int, due_at: datetime | None) -> tuple | None:
    """What ranks a walk-in among equals issued together; None for an appointment (ranked by its time)."""
    return None if due_at is not None else (language, priority)


ISSUE_TARGET = HotStatement(
    select(Branch.id.label("branch_id"), Branch.code.label("branch_code"), Branch.timezone,
           Branch.languages.label("branch_languages"), Service.id.label("service_id"),
           Service.code.label("service_code"), Service.prefix, Service.names,
           Service.languages.label("service_languages"), Service.priority, Service.expected_minutes,
           Service.active, Service.needs_language_match)
    .select_from(Branch)
    .outerjoin(Service, and_(Service.branch_id == Branch.id, Service.code == bindparam("service")))
    .where(Branch.code == bindparam("branch"))
)
INSERT_TICKET = HotStatement(insert(Ticket.__table__).returning(Ticket.__table__.c.id), columns=(
    "branch_id", "service_id", "issued_service_id", "service_day", "number", "label", "language", "status",
    "priority", "token", "issued_at", "effective_at", "due_at", "call_count", "appointment_id", "device_id",
    "estimated_wait_minutes"))
INSERT_EVENT = HotStatement(insert(Event.__table__), columns=(
    "branch_id", "seq", "type", "at", "ticket_id", "counter_id", "service_id", "staff_id", "data"))
NOT_YET_INSERTED = 2**31 - 1      # an id larger than any ticket's (the column is a 32-bit integer on PostgreSQL)


def _issue_target(session: Session, branch_code: str, service_code: str):
    """The branch and service a ticket is issued for, as one row."""
    row = next(iter(ISSUE_TARGET.rows(session, branch=branch_code, service=service_code)), None)
    if row is None:
        raise NotFound(f"unknown branch '{branch_code}'", field="branch")
    if row.service_id is None:
        raise NotFound(f"branch '{branch_code}' has no service '{service_code}'", field="service")
    if not row.active:
        raise Conflict(f"service '{service_code}' is not offered now", field="service")
    return row


def _service_in_branch(session: Session, branch: Branch, service_code: str) -> Service:
    service = session.execute(
        select(Service).where(Service.branch_id == branch.id, Service.code == service_code)
    ).scalar_one_or_none()
    if service is None:
        raise NotFound(f"branch '{branch.code}' has no service '{service_code}'", field="service")
    if not service.active:
        raise Conflict(f"service '{service_code}' is not offered now", field="service")
    return service


def check_language(service_code: str, offered: list[str], language: str) -> None:
    if offered and language not in offered:
        raise InvalidInput(f"language '{language}' is not offered for {service_code}; offered: "
                           f"{', '.join(offered)}", field="language", allowed=list(offered))


def _check_target_counter(session: Session, branch: Branch, service: Service, counter_id: int) -> None:
    counter = session.get(Counter, counter_id)
    if counter is None or counter.branch_id != branch.id:
        raise NotFound(f"branch '{branch.code}' has no counter {counter_id}", field="counter")
    if service not in counter.services:
        raise InvalidInput(f"counter {counter.name} does not serve '{service.code}'", field="counter")


def _counter(session: Session, counter_id: int, lock: bool = False) -> Counter:
    counter = session.get(Counter, counter_id, with_for_update=lock,
                          options=[selectinload(Counter.services)])
    if counter is None:
        raise NotFound(f"no counter with id {counter_id}")
    return counter


def _refuse_if_busy(session: Session, counter: Counter) -> None:
    active = session.execute(
        select(Ticket.label, Ticket.status).where(
            Ticket.counter_id == counter.id,
            Ticket.status.in_([s.value for s in ACTIVE_AT_COUNTER]),
        ).limit(1)
    ).first()
    if active:
        raise Conflict(f"counter {counter.name} still has {active.label} ({active.status}); "
                       "finish, mark no-show or transfer it first", ticket=active.label)


# Call-next claims a ticket with the state machine's CALL move (see _claim_best).
_CALL_SOURCES, CALLED = TICKET_TRANSITIONS[TicketAction.CALL]
CALLABLE_FROM = sorted(status.value for status in _CALL_SOURCES)


def _claim_best(session: Session, counter: Counter, now: datetime) -> Ticket | None:
    """Rank the waiting tickets by the policy and take the best one nobody else took."""
    today = service_day(counter.branch.timezone, now)
    rows = session.execute(
        select(Ticket.id, Ticket.service_id, Ticket.language, Ticket.priority, Ticket.effective_at,
               Ticket.due_at, Ticket.target_counter_id, Service.needs_language_match)
        .join(Service, Service.id == Ticket.service_id)
        .where(
            Ticket.branch_id == counter.branch_id,
            Ticket.service_day == today,
            Ticket.status.in_(CALLABLE_FROM),
            Ticket.service_id.in_([s.id for s in counter.services]),
        )
    ).all()
    context = policy.CounterContext(
        id=counter.id,
        service_ids=frozenset(s.id for s in counter.services),
        languages=frozenset(counter.languages or ()),
    )
    # The state machine's CALL move, as one conditional UPDATE: on PostgreSQL a concurrent caller
    # may have taken the ticket meanwhile, and then the next candidate is tried.
    for candidate in policy.rank((policy.Candidate(*row) for row in rows), context, now):
        claimed = session.execute(
            update(Ticket)
            .where(Ticket.id == candidate.id, Ticket.status.in_(CALLABLE_FROM))
            .values(status=CALLED.value, counter_id=counter.id, called_at=now,
                    call_count=Ticket.call_count + 1, target_counter_id=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            return session.get(Ticket, candidate.id, populate_existing=True)
    return None


def _settle_appointment(ticket: Ticket, status: AppointmentStatus) -> None:
    """The appointment a ticket was checked in for ends the way its ticket does."""
    if ticket.appointment_id is not None:
        Session.object_session(ticket).execute(
            update(Appointment)
            .where(Appointment.id == ticket.appointment_id,
                   Appointment.status == AppointmentStatus.CHECKED_IN.value)
            .values(status=status.value))


# Every phone asks for its ticket's status: one statement with what its view shows, built once.
TICKET_BY_TOKEN = (select(Ticket).where(Ticket.token == bindparam("token"))
                   .options(joinedload(Ticket.branch), joinedload(Ticket.service), joinedload(Ticket.counter)))


def _with_estimate(session: Session, ticket: Ticket, now: datetime) -> TicketView:
    if ticket.status != TicketStatus.WAITING:
        return ticket_view(ticket)
    ahead, wait = estimates.standing(session, estimates.Place.of(ticket), now, ticket.service.expected_minutes)
    return ticket_view(ticket, people_ahead=ahead, wait=wait)


def _counter_state(counter: Counter) -> dict:
    return {"id": counter.id, "name": counter.name, "state": counter.state,
            "staff_id": counter.staff_id, "languages": list(counter.languages or ())}


def _seconds(start: datetime | None, end: datetime) -> int | None:
    return None if start is None else int((end - start).total_seconds())
