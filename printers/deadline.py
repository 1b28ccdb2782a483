"""Device I/O in a real OS thread with a deadline, so a printer that blocks cannot block the server.

A USB, serial or file write blocks in the kernel. Under gunicorn's gevent worker `threading` is
monkey-patched: a `ThreadPoolExecutor`'s "threads" are greenlets and such a write freezes every
request of the process. So the write runs in a thread of gevent's own ThreadPool (real OS threads;
the waiting greenlet yields), or, without gevent, in a plain daemon thread.

A write that misses its deadline cannot be cancelled: its thread stays blocked until the device
lets go. To keep such threads bounded, each printer has at most one write in flight. A later job
for the same printer waits for it within its own deadline, and fails at once when that write is
already past its deadline (stuck), so a dead device holds one thread, not one per ticket.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import wait as wait_futures
from typing import TypeVar

T = TypeVar("T")

# Upper bound of device threads per process under gevent (one per printer at most is in use).
GEVENT_POOL_SIZE = 32


class DeadlineExceeded(Exception):
    """The job did not finish in time, or an earlier job on the same device is stuck."""

    def __init__(self, message: str, stuck: bool = False):
        super().__init__(message)
        self.stuck = stuck


class _Job:
    """A job started in an OS thread: done(), wait(seconds) -> done, result()."""

    def __init__(self, handle, deadline: float):
        self.handle, self.deadline = handle, deadline

    def done(self) -> bool:
        return self.handle.ready() if _gevent() else self.handle.done()

    def wait(self, seconds: float) -> bool:
        if _gevent():
            self.handle.wait(max(seconds, 0))
        else:
            wait_futures([self.handle], timeout=max(seconds, 0))
        return self.done()

    def result(self):
        return self.handle.get(block=False) if _gevent() else self.handle.result()


_running: dict[str, _Job] = {}
_claim = threading.Lock()   # held without yielding: a plain lock is safe under gevent too
_pool = None
_pool_pid = None


def run(device: str, job: Callable[[], T], timeout: float) -> T:
    """Run `job` in an OS thread; its result, or DeadlineExceeded after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        with _claim:
            earlier = _running.get(device)
            if earlier is None or earlier.done():
                started = _running[device] = _Job(_start(job), deadline)
                break
        if time.monotonic() >= earlier.deadline:
            raise DeadlineExceeded("an earlier job on this printer is still stuck", stuck=True)
        earlier.wait(min(deadline, earlier.deadline) - time.monotonic())
        if time.monotonic() >= deadline and not earlier.done():
            raise DeadlineExceeded("the printer is still busy with an earlier job", stuck=True)
    if not started.wait(deadline - time.monotonic()):
        raise DeadlineExceeded(f"did not finish within {timeout:g} s")
    return started.result()


def in_flight() -> int:
    """Device jobs not finished yet (stuck ones included)."""
    with _claim:
        return sum(not job.done() for job in _running.values())


def _start(job: Callable[[], T]):
    if _gevent():
        return _gevent_pool().spawn(job)
    future: Future = Future()

    def work() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(job())
        except BaseException as exc:  # handed to the waiting caller
            future.set_exception(exc)

    threading.Thread(target=work, name="printer-io", daemon=True).start()
    return future


def _gevent() -> bool:
    if "gevent" not in sys.modules:
        return False
    from gevent import monkey
    return monkey.is_module_patched("threading")


def _gevent_pool():
    # Our own pool, not the hub's: that one also resolves host names, and stuck printers must
    # not starve it. Created per process (after gunicorn forks its worker).
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        from gevent.threadpool import ThreadPool
        _pool, _pool_pid = ThreadPool(GEVENT_POOL_SIZE), os.getpid()
    return _pool
