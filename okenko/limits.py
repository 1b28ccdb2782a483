"""Rate limits on what can be guessed at: sign-in and staff tokens, appointment codes (per client
address), and on booking.

Public status pages are not limited per address: a waiting room's phones share the office's one
public address. With several processes the counts live in Redis (the message queue's server); if
it is unreachable the limiter falls back to memory rather than refusing requests.
"""
from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

SIGN_IN = "10 per minute;100 per hour"
# Appointment codes are keys (whoever holds one may cancel): unknown codes tried per address.
CODE_MISSES = "20 per minute;200 per hour"


def only_misses(response) -> bool:
    """Count a code lookup against the limit only when the code was unknown."""
    return response.status_code == 404


limiter = Limiter(key_func=get_remote_address, headers_enabled=True, swallow_errors=True,
                  in_memory_fallback_enabled=True)
# One budget for every page and API route that takes an appointment code.
code_lookup = limiter.shared_limit(CODE_MISSES, scope="appointment-code", deduct_when=only_misses)


def init_limits(app, message_queue: str, prefix: str) -> None:
    shared = message_queue if message_queue.startswith(("redis://", "rediss://")) else ""
    app.config.update(RATELIMIT_STORAGE_URI=shared or "memory://", RATELIMIT_KEY_PREFIX=prefix)
    limiter.init_app(app)
