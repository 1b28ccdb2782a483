"""The OpenAPI 3.1 document, built from the routes' own `@document(...)` declarations."""
from __future__ import annotations

import re
from collections.abc import Callable

from flask import Blueprint, current_app, jsonify
from pydantic import BaseModel

from . import schemas

bp = Blueprint("openapi", __name__)

REF = "#/components/schemas/{model}"
REQUIRED = " (required)"
STANDARD_ERRORS = {
    400: "Malformed request", 401: "Missing or invalid token", 403: "Role or device not allowed",
    404: "Unknown branch, service, counter or ticket", 409: "Illegal state transition or conflict",
    413: "Body too large", 415: "Body is not JSON", 422: "Body fails validation",
    429: "Too many attempts: wait the seconds in Retry-After", 503: "Busy: try again after Retry-After seconds",
}


def document(summary: str, *, tag: str, auth: str | None = None, body: type[BaseModel] | None = None,
             responses: dict[int, tuple[str, type[BaseModel] | None]] | None = None,
             query: dict[str, str] | None = None) -> Callable:
    """Attach the OpenAPI description to a view. `auth`: None (public), "staff", "device", "staff|device".
    `query`: query parameters (all strings) → their description; a required one ends its description
    with " (required)"."""
    def decorate(view: Callable) -> Callable:
        view.openapi = {"summary": summary, "tag": tag, "auth": auth, "body": body,
                        "responses": responses or {}, "query": query or {}}
        return view
    return decorate


@bp.get("/api/openapi.json")
def openapi_json():
    return jsonify(build_document())


def build_document() -> dict:
    models: set[type[BaseModel]] = {schemas.Error}
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        view = current_app.view_functions[rule.endpoint]
        spec = getattr(view, "openapi", None)
        if spec is None:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(_path(rule.rule), {})[method.lower()] = _operation(rule, view, spec, models)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Okénko API", "version": "1",
                 "description": "Queue, tickets and displays of Okénko. Errors are JSON: "
                                "{error, message, details}."},
        "paths": paths,
        "components": {
            "schemas": _schemas(models),
            "securitySchemes": {
                "staff": {"type": "http", "scheme": "bearer",
                          "description": "Token from POST /api/v1/auth/token"},
                "device": {"type": "http", "scheme": "bearer",
                           "description": "The token of a registered kiosk or display"},
            },
        },
    }


# <name>, <int:name>, <any(a, b):name>
PARAM = re.compile(r"<(?:([a-z]+)(?:\(([^)]*)\))?:)?([a-z_]+)>")


def _path(rule: str) -> str:
    return PARAM.sub(lambda m: "{" + m.group(3) + "}", rule)


def _parameter(converter: str | None, args: str | None, name: str) -> dict:
    schema: dict = {"type": "integer" if converter == "int" else "string"}
    if converter == "any" and args:
        schema["enum"] = [a.strip().strip("'\"") for a in args.split(",")]
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _operation(rule, view, spec: dict, models: set) -> dict:
    operation: dict = {"summary": spec["summary"], "tags": [spec["tag"]], "operationId": rule.endpoint,
                       "responses": {}}
    params = [_parameter(*match) for match in PARAM.findall(rule.rule)]
    params += [{"name": name, "in": "query", "required": description.endswith(REQUIRED), "description": description,
                "schema": {"type": "string"}} for name, description in spec.get("query", {}).items()]
    if params:
        operation["parameters"] = params
    if spec["auth"]:
        operation["security"] = [{scheme: []} for scheme in spec["auth"].split("|")]
        roles = getattr(view, "required_roles", None)
        if roles:
            operation["description"] = "Staff roles: " + ", ".join(sorted(roles))
    if spec["body"] is not None:
        models.add(spec["body"])
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": {"$ref": REF.format(model=spec["body"].__name__)}}}}
    for status, (description, model) in spec["responses"].items():
        response: dict = {"description": description}
        if model is not None:
            models.add(model)
            response["content"] = {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}}
        operation["responses"][str(status)] = response
    for status, description in STANDARD_ERRORS.items():
        operation["responses"].setdefault(str(status), {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}}})
    return operation


def _schemas(models: set[type[BaseModel]]) -> dict:
    out: dict = {}
    for model in sorted(models, key=lambda m: m.__name__):
        schema = model.model_json_schema(ref_template=REF)
        out.update(schema.pop("$defs", {}))
        out[model.__name__] = schema
    return out
