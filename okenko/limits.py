"""Rate limits on what can be guessed at: staff passwords, appointment codes (per client address and
per kiosk), and on booking.

Guessing budgets are charged *before* the work, with one atomic increment, and refunded when the
outcome should not count (a right password, a code that exists). Checking first and charging after
would let every request that arrives before the first charge through: 100 concurrent lookups of
unknown codes passed 21 times through a limit of 20 that way.

Public status pages are not limited per address: a waiting room's phones share the office's one
public address. With several processes the counts live in Redis (the message queue's server); if
it is unreachable the counts fall back to this process's memory rather than refusing requests.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial, wraps

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_qualified_name, get_remote_address
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import NotFound as PageNotFound
from werkzeug.exceptions import TooManyRequests

from models import NotFound

from .api.errors import ApiError, wants_json

log = logging.getLogger(__name__)

# Wrong passwords for one account from one address, and from one address for any accounts.
# A right password never counts, so a shift signing in behind one NAT address is never locked out,
# and an attacker elsewhere cannot lock an account for the people who use it.
SIGN_IN_FAILURES_PER_ACCOUNT = "5 per 5 minutes;20 per day"
SIGN_IN_FAILURES_PER_ADDRESS = "20 per 10 minutes;100 per day"
# Appointment codes are keys (whoever holds one may cancel): unknown codes tried per address…
CODE_MISSES = "20 per minute;200 per hour"
# …and failed check-ins by code at one kiosk (its visitors share the kiosk, not an address).
CHECK_IN_FAILURES_PER_KIOSK = "20 per minute;200 per hour"
# Announcements are public (displays fetch them): texts not yet spoken cost a synthesis, so they are
# limited per address; a waiting room's displays share one address and rarely miss (one per call).
NEW_ANNOUNCEMENTS_PER_ADDRESS = "60 per minute;600 per hour"

limiter = Limiter(key_func=get_remote_address, headers_enabled=True, swallow_errors=True,
                  in_memory_fallback_enabled=True)
_memory_fallback = FixedWindowRateLimiter(MemoryStorage())


class Budget:
    """A limit on attempts, charged atomically up front and refunded for outcomes that do not count."""

    def __init__(self, limits: str, scope: str):
        self.items: tuple[RateLimitItem, ...] = tuple(parse_many(limits))
        self.scope = scope

    def charge(self, *key: str) -> None:
        """Take one attempt; raise TooManyAttempts (taking nothing) when any limit is spent."""
        charged = []
        for item in self.items:
            charged.append(item)
            if not _hit(item, self._key(key), 1):
                for spent in charged:
                    _hit(spent, self._key(key), -1)
                raise TooManyAttempts(self._retry_after(item, key))

    def refund(self, *key: str) -> None:
        for item in self.items:
            _hit(item, self._key(key), -1)

    def _key(self, key: tuple[str, ...]) -> tuple[str, ...]:
        return (current_app.config.get("RATELIMIT_KEY_PREFIX", ""), self.scope, *key)

    def _retry_after(self, item: RateLimitItem, key: tuple[str, ...]) -> int:
        try:
            reset = _strategy().get_window_stats(item, *self._key(key)).reset_time
        except Exception:  # storage down: a safe guess
            return item.get_expiry()
        return max(1, int(reset - time.time()) + 1)


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"too many attempts; try again in {retry_after} s")
        self.retry_after = retry_after


def _strategy():
    return limiter.limiter


def _hit(item: RateLimitItem, key: tuple[str, ...], cost: int) -> bool:
    try:
        return _strategy().hit(item, *key, cost=cost)
    except Exception:  # Redis unreachable: count in this process rather than refuse or let all through
        log.warning("rate-limit storage unreachable; counting %s in memory", key[1])
        return _memory_fallback.hit(item, *key, cost=cost)


sign_in_per_account = Budget(SIGN_IN_FAILURES_PER_ACCOUNT, "sign-in-account")
sign_in_per_address = Budget(SIGN_IN_FAILURES_PER_ADDRESS, "sign-in-address")
code_misses = Budget(CODE_MISSES, "appointment-code")
check_in_failures = Budget(CHECK_IN_FAILURES_PER_KIOSK, "kiosk-check-in")
new_announcements = Budget(NEW_ANNOUNCEMENTS_PER_ADDRESS, "new-announcement")


def client_address() -> str:
    return get_remote_address() or "unknown"


def refused(exc: TooManyAttempts, message: str):
    """A spent budget as the caller reads it: JSON for the API, the page's 429 otherwise."""
    if wants_json():
        return ApiError(429, "rate_limited", f"{message}; try again in {exc.retry_after} s",
                        retry_after=exc.retry_after)
    return TooManyRequests(retry_after=exc.retry_after)


def code_lookup(view: Callable) -> Callable:
    """One budget of unknown appointment codes per address, for every page and API route taking one."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        address = client_address()
        try:
            code_misses.charge(address)
        except TooManyAttempts as exc:
            raise refused(exc, "too many unknown appointment codes from this address") from None
        try:
            response = view(*args, **kwargs)
        except (NotFound, PageNotFound):
            raise  # a miss: the charge stays
        except BaseException:
            code_misses.refund(address)
            raise
        status = response[1] if isinstance(response, tuple) else getattr(response, "status_code", 200)
        if status != 404:
            code_misses.refund(address)
        return response
    return wrapper


def init_limits(app, message_queue: str, prefix: str) -> None:
    shared = message_queue if message_queue.startswith(("redis://", "rediss://")) else ""
    app.config.update(RATELIMIT_STORAGE_URI=shared or "memory://", RATELIMIT_KEY_PREFIX=prefix)
    limiter.init_app(app)
    # There are no application-wide limits: each limited view checks its own in its decorator's
    # wrapper. The extension's check before every request only looked for limits and found none,
    # a fifth of what a health probe cost.
    app.before_request_funcs[None].remove(limiter._check_request_limit)


def confine_limit_hooks(app) -> None:
    """Once the blueprints are registered: the extension's after-request hook (it writes the
    X-RateLimit headers) and its teardown run for the blueprints that have limited views only, not
    for every probe, kiosk tap and display request."""
    inject = [f for f in app.after_request_funcs[None] if isinstance(f, partial) and f.args == (limiter,)]
    release = [f for f in app.teardown_request_funcs[None] if f == limiter._Limiter__release_context]
    limited = {endpoint.rpartition(".")[0] for endpoint, view in app.view_functions.items()
               if get_qualified_name(view) in limiter._marked_for_limiting}
    if not inject or not release or "" in limited:
        return  # the extension changed, or a limited view outside any blueprint: keep the hooks global
    for hooks, moved in ((app.after_request_funcs, inject), (app.teardown_request_funcs, release)):
        for hook in moved:
            hooks[None].remove(hook)
            for blueprint in limited:
                hooks.setdefault(blueprint, []).append(hook)
