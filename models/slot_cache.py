"""A cache of free appointment slots for the public booking reads (a booking surge).

Every booking, cancellation and rebooking bumps the generation of its (branch, service) after its
transaction commits; an entry is served only while its generation is still current, so a read
never shows a place that a committed booking took. The generation is read before computing, so
an entry computed from data older than a concurrent bump is stored under the old generation and
never served. Entries also expire after a short time: the slots' time window moves, and an
administrator may change hours or capacity.

One process: generations live in memory. Several processes (OKENKO_MESSAGE_QUEUE=redis://…):
generations live in Redis, so a booking on one node invalidates every node's copy. If Redis fails,
reads compute without the cache rather than fail.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

log = logging.getLogger(__name__)

TTL_S = 30.0
MAX_ENTRIES = 2000


class LocalGenerations:
    def __init__(self) -> None:
        self._values: dict[Hashable, int] = {}
        self._lock = threading.Lock()

    def current(self, scope: tuple) -> int:
        return self._values.get(scope, 0)

    def bump(self, scope: tuple) -> None:
        with self._lock:
            self._values[scope] = self._values.get(scope, 0) + 1


class RedisGenerations:
    """Generations shared by every process of one installation (keys under `prefix`)."""

    def __init__(self, url: str, prefix: str):
        import redis
        self._redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._prefix = prefix

    def _key(self, scope: tuple) -> str:
        return ":".join((self._prefix, "slots", *map(str, scope)))

    def current(self, scope: tuple) -> int:
        return int(self._redis.get(self._key(scope)) or 0)

    def bump(self, scope: tuple) -> None:
        self._redis.incr(self._key(scope))


class SlotCache:
    def __init__(self, generations: LocalGenerations | RedisGenerations | None = None, ttl_s: float = TTL_S,
                 clock: Callable[[], float] = time.monotonic, max_entries: int = MAX_ENTRIES):
        self.generations = generations or LocalGenerations()
        self.ttl_s = ttl_s
        self.clock = clock
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[int, float, Any]] = {}

    def get(self, scope: tuple, key: Hashable, compute: Callable[[], Any],
            fresh: Callable[[Any], bool] | None = None) -> Any:
        """The cached value of `key` (which belongs to `scope`), computing it when missing or stale;
        `fresh(value)` may shorten a value's life (e.g. until the next slot begins)."""
        try:
            generation = self.generations.current(scope)
        except Exception:  # noqa: BLE001 - a cache fault must not stop booking reads
            log.warning("slot cache: generation store unavailable; reading without the cache", exc_info=True)
            return compute()
        entry = self._entries.get(key)
        now = self.clock()
        if entry is not None and entry[0] == generation and now - entry[1] < self.ttl_s \
                and (fresh is None or fresh(entry[2])):
            return entry[2]
        value = compute()
        if len(self._entries) >= self.max_entries:
            self._entries.clear()  # crude but bounded; a surge reads few distinct keys
        self._entries[key] = (generation, now, value)
        return value

    def invalidate(self, scope: tuple) -> None:
        try:
            self.generations.bump(scope)
        except Exception:  # noqa: BLE001
            log.error("slot cache: could not invalidate %s; other nodes may show it for %s s", scope, self.ttl_s,
                      exc_info=True)
        self._entries = {k: v for k, v in self._entries.items() if not (isinstance(k, tuple) and k[:2] == scope)}
