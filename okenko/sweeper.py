"""The appointment sweep in the background of a server process: missed appointments become
no-shows, old contacts are erased. Started by the first request (after gunicorn forked the
worker); every process may run it, the sweep is idempotent. `okenko appointments sweep` does
the same once, for cron."""
from __future__ import annotations

import logging
import threading

from flask import Flask

from models.statistics import maintain

from .extensions import socketio_of
from .runtime import runtime

log = logging.getLogger(__name__)


def install_sweeper(app: Flask, interval_s: int) -> None:
    if interval_s <= 0:
        return
    started = threading.Event()

    def start_once() -> None:
        if not started.is_set():
            started.set()
            socketio_of(app).start_background_task(_run, app, interval_s)

    app.before_request(start_once)


def _run(app: Flask, interval_s: int) -> None:
    socketio = socketio_of(app)
    while True:
        try:
            swept = runtime(app).appointments.sweep()
            if any(swept.values()):
                log.info("appointment sweep: %(no_show)d no-show(s), %(contacts_erased)d contact(s) erased",
                         swept)
        except Exception:  # a database hiccup: try again next round
            log.exception("appointment sweep failed")
        _maintain_statistics(app)
        socketio.sleep(interval_s)


def _maintain_statistics(app: Flask) -> None:
    """Store the aggregates of finished days, purge raw events past the retention period."""
    run = runtime(app)
    try:
        done = maintain(run.writer, run.queue.clock(), run.settings.event_retention_days)
        if any(done.values()):
            log.info("statistics: %(days_rolled_up)d day(s) rolled up, %(events_purged)d event(s) purged", done)
    except Exception:  # try again next round; statistics fold unrolled days live meanwhile
        log.exception("statistics roll-up failed")
