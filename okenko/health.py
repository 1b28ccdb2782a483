"""Liveness and readiness: GET /healthz checks the database."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text

from .api.openapi import document
from .api.schemas import Health
from .runtime import runtime

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
@document("Health of the service and its database", tag="operations",
          responses={200: ("Healthy", Health), 503: ("A dependency fails", Health)})
def healthz():
    checks = {"database": _database()}
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "error", "checks": checks}
    if healthy:
        # Details only: a printer out of paper must not make the whole service look down.
        body["details"] = {"printers": _printers()}
    return jsonify(body), 200 if healthy else 503


def _printers() -> dict[str, str]:
    try:
        return runtime().printing.last_known_states(runtime().settings.printer not in ("", "none"))
    except Exception:
        log.exception("health check: printer states unavailable")
        return {}


def _database() -> str:
    try:
        with runtime().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # any driver error means "not ready"
        log.warning("health check: database unreachable: %s", exc)
        return f"error: {type(exc).__name__}"
