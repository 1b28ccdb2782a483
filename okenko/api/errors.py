"""Every API error is JSON: {"error": code, "message": text, …details} with a 4xx status."""
from __future__ import annotations

import logging

from flask import jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, InternalServerError

from models import Conflict, DomainError, IllegalTransition, InvalidInput, NotFound

log = logging.getLogger(__name__)

DOMAIN_STATUS = {NotFound: 404, IllegalTransition: 409, Conflict: 409, InvalidInput: 422}


class ApiError(Exception):
    """Raised by views for request problems that are not domain errors (auth, body…)."""

    def __init__(self, status: int, error: str, message: str, **details):
        super().__init__(message)
        self.status, self.error, self.message, self.details = status, error, message, details


def error_response(status: int, error: str, message: str, details: dict | None = None):
    body = {"error": error, "message": message}
    if details:
        body["details"] = details
    response = jsonify(body)
    response.status_code = status
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz" or request.is_json


def register_error_handlers(app) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        response = error_response(exc.status, exc.error, exc.message, exc.details)
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="okenko"'
        if "retry_after" in exc.details:
            response.headers["Retry-After"] = str(exc.details["retry_after"])
        return response

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        status = next((code for kind, code in DOMAIN_STATUS.items() if isinstance(exc, kind)), 409)
        return error_response(status, exc.code, exc.message, exc.details)

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError):
        problems = [{"field": ".".join(str(p) for p in e["loc"]) or "(body)", "problem": e["msg"]}
                    for e in exc.errors(include_url=False, include_input=False)]
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        return error_response(422, "invalid_request", f"invalid request body: {summary}", {"problems": problems})

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not wants_json():
            return exc
        name = (exc.name or "error").lower().replace(" ", "_")
        response = error_response(exc.code or 400, name, exc.description or exc.name)
        for header, value in exc.get_headers():     # e.g. a 405's Allow
            if header.lower() != "content-type":
                response.headers[header] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        if not wants_json():
            return InternalServerError()
        return error_response(500, "internal_error", "the server failed; the incident is logged")
