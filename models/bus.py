"""In-process publish/subscribe of committed events. The realtime relay subscribes (it pushes to
displays, consoles and phones); printing does not: the kiosk asks for its own print."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishedEvent:
    """What subscribers get: public data only (numbers, services, counters), no person."""

    branch: str
    seq: int
    type: str
    at: datetime
    ticket: dict | None = None
    counter: dict | None = None
    data: dict = field(default_factory=dict)


Subscriber = Callable[[PublishedEvent], None]


class EventBus:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> Subscriber:
        self._subscribers.append(subscriber)
        return subscriber

    def publish(self, events: list[PublishedEvent]) -> None:
        # A failing subscriber (a printer, Redis) must not stop the others or the caller:
        # the state change is already committed.
        for published in events:
            for subscriber in list(self._subscribers):
                try:
                    subscriber(published)
                except Exception:
                    log.exception("event subscriber %r failed on %s", subscriber, published.type)
