"""Liveness and readiness: GET /healthz checks the database.

Load balancers and monitors poll it, so it runs one prebuilt query (the kiosks' last known printer
states, which proves the database answers and gives the printer details with it), and an answer
serves every probe of the next second in this process, unless this process learnt a printer state
meanwhile: a flood of probes cannot load the database, and a database that stops answering shows
within a second."""
from __future__ import annotations

import logging
import threading
import time

from flask import Blueprint, current_app, jsonify

from .api.openapi import document
from .api.schemas import Health
from .runtime import runtime

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

ANSWER_KEPT_S = 1.0


class _LastAnswer:
    def __init__(self):
        self.lock = threading.Lock()
        self.at = float("-inf")
        self.key: object = None
        self.answer: tuple[dict, int] = ({}, 503)



@bp.get("/healthz")
@document("Health of the service and its database", tag="operations",
          responses={200: ("Healthy", Health), 503: ("A dependency fails", Health)})
def healthz():
    printing = runtime().printing
    last = current_app.extensions.setdefault("okenko.health", _LastAnswer())
    key = printing.state_writes
    with last.lock:  # one probe asks the database; the others wait for its answer
        if last.key != key or time.monotonic() - last.at >= ANSWER_KEPT_S:
            last.answer, last.key, last.at = _check(printing), key, time.monotonic()
        body, status = last.answer
    return jsonify(body), status


def _check(printing) -> tuple[dict, int]:
    try:
        printers = printing.last_known_states(runtime().settings.printer not in ("", "none"))
    except Exception as exc:  # any driver error means "not ready"
        log.warning("health check: database unreachable: %s", exc)
        return {"status": "error", "checks": {"database": f"error: {type(exc).__name__}"}}, 503
    # Printers are details only: a printer out of paper must not make the whole service look down.
    return {"status": "ok", "checks": {"database": "ok"}, "details": {"printers": printers}}, 200
