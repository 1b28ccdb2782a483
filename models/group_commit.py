"""Kiosk taps that arrive together are issued in one write transaction (group commit).

Most of a ticket's cost is the transaction around it, not its own rows: on SQLite the commit
writes every changed page to the WAL (the same index pages for every ticket) and the next
transaction starts over; on PostgreSQL every statement is a round trip and the service's number
row stays locked until commit. Taps that arrive together share that cost. The first becomes the
leader: it yields once, so that the taps already read off their sockets reach here and join, then
runs all of them in one transaction, in the order the caller gives (arrival order within it). The
others wait for their outcome.

A member's failure must neither cost the others their tickets nor leave its half-done writes
behind: then the whole batch is rolled back and each member runs alone, in a transaction of its
own, to its own outcome. If instead finishing the transaction fails (the commit), every member gets
that error and none runs again: the batch may have committed, and a second run would issue twice.

One leader at a time: taps arriving while a batch runs wait, and the first of them leads the next
batch once the current one is settled; one killed while it waits (a timeout) hands that on. A tap
made by the leader itself while it settles a batch (from an event subscriber) runs alone at once:
it would otherwise wait for itself.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

MAX_BATCH = 64   # a batch holds the write lock; past this, the rest lead the next one
_UNSET = object()


class _Member:
    __slots__ = ("step", "order", "settled", "value", "error", "leads")

    def __init__(self, step: Callable[[Any], Any], order: tuple):
        self.step = step
        self.order = order
        self.settled = threading.Event()   # a gevent Event once gevent has patched threading
        self.value: Any = _UNSET
        self.error: BaseException | None = None
        self.leads = False                 # woken to lead the next batch, not settled

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


class GroupCommit:
    """Runs `step(work)` in a transaction from `transaction()`, shared with concurrent callers."""

    def __init__(self, transaction: Callable[[], AbstractContextManager], max_batch: int = MAX_BATCH):
        self._transaction = transaction
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._waiting: list[_Member] = []
        self._leading = False
        self._here = threading.local()     # greenlet-local once gevent has patched threading
        # Around a tap's wait for its batch: the web layer's load shedder counts it as queued, not busy.
        self.while_waiting: Callable[[], AbstractContextManager] = nullcontext

    @property
    def waiting(self) -> int:
        """Taps waiting for a batch (the one running is not counted)."""
        return len(self._waiting)

    def run(self, step: Callable[[Any], Any], order: tuple = ()) -> Any:
        """`step(work)`'s result. A batch runs its steps sorted by `order` (stable: taps of one order
        keep their arrival order), so that concurrent batches take their locks in one order."""
        if getattr(self._here, "leading", False):
            with self._transaction() as work:
                return step(work)
        member = _Member(step, order)
        with self._lock:
            self._waiting.append(member)
            leads, self._leading = not self._leading, True
        if not leads:
            self._wait(member)
            if not member.leads:
                return member.outcome()
        self._lead(member)
        return member.outcome()

    def _wait(self, member: _Member) -> None:
        try:
            with self.while_waiting():
                member.settled.wait()
        except BaseException:   # the caller was killed while it waited (a timeout, a worker stopping)
            with self._lock:
                self._forget(member)
                if member.leads:    # it was woken to lead the next batch
                    self._hand_off()
            raise

    def _lead(self, member: _Member) -> None:
        batch: list[_Member] = []
        self._here.leading = True
        try:
            time.sleep(0)   # under gevent: a switch to the hub, which runs the taps already received
            with self._lock:
                batch, self._waiting = self._waiting[:self._max_batch], self._waiting[self._max_batch:]
            self._settle(batch)
        finally:
            self._here.leading = False
            for settled in batch:
                if settled.value is _UNSET and settled.error is None:   # the leader was interrupted
                    settled.error = RuntimeError("issuing was interrupted; please try again")
            with self._lock:
                self._forget(member)    # (still waiting only if interrupted before taking its batch)
                self._hand_off()
            for settled in batch:
                settled.settled.set()

    def _forget(self, member: _Member) -> None:
        """Under the lock: `member` waits no more (a member taken into a batch is its leader's)."""
        if any(waiting is member for waiting in self._waiting):
            self._waiting.remove(member)

    def _hand_off(self) -> None:
        """Under the lock: the first waiting tap leads the next batch, or nobody leads."""
        if self._waiting:
            self._waiting[0].leads = True
            self._waiting[0].settled.set()
        else:
            self._leading = False

    def _settle(self, batch: list[_Member]) -> None:
        if len(batch) > 1:
            ordered = sorted(batch, key=lambda member: member.order)
            failed_step = False
            try:
                with self._transaction() as work:
                    values = []
                    for member in ordered:
                        try:
                            values.append(member.step(work))
                        except Exception:
                            failed_step = True
                            raise
            except Exception as exc:  # noqa: BLE001 - reported to each member below
                if not failed_step:
                    # Finishing the transaction failed (its events, the commit): whether it committed
                    # may be unknown, so no one runs again, which could issue their ticket twice.
                    for member in batch:
                        member.error = exc
                    return
            else:
                for member, value in zip(ordered, values, strict=True):
                    member.value = value
                return
        for member in batch:
            try:
                with self._transaction() as work:
                    member.value = member.step(work)
            except Exception as exc:  # noqa: BLE001 - the member's own outcome, raised in its caller
                member.error = exc
