"""What the web layer refuses before any view runs: input that no column can hold and no parser should
chew on. Each would otherwise surface deep inside as a 500 (PostgreSQL rejects NUL characters in text,
an id past a database integer overflows the query, a deeply nested body exhausts the JSON parser).
"""
from __future__ import annotations

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

# PostgreSQL's integer column: SQLite's are wider, but both databases must answer the same (404).
MAX_ID = 2**31 - 1
NUL = "\x00"


class DatabaseInt(IntegerConverter):
    """`<int:…>` path parts that a database integer can hold; a larger one matches no route (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class GuardedJSON(DefaultJSONProvider):
    """Request bodies: too deep a nesting or a NUL anywhere is a 400, not an error further in."""

    def loads(self, s, **kwargs):
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise BadRequest("the JSON body is nested too deeply") from None
        if _holds_nul(value):
            raise BadRequest("text must not contain NUL characters")
        return value


def install_input_guards(app: Flask) -> None:
    """Before any route is added: the converter is looked up when a rule is registered."""
    app.url_map.converters["int"] = DatabaseInt
    app.json = GuardedJSON(app)
    app.before_request(_refuse_nul)


def _refuse_nul() -> None:
    # The raw query string holds a NUL as "%00" (or raw): parsing every request's arguments to look
    # for one cost more than some whole views.
    query = request.environ.get("QUERY_STRING", "")
    texts = [request.path, *((v for _k, values in request.args.lists() for v in values)
                              if "%00" in query or NUL in query else ())]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        request.get_data(cache=True)    # keep the raw body: a JSON route must still see it (and say 415)
        texts += [v for _k, values in request.form.lists() for v in values]
    if any(NUL in text for text in texts):
        raise BadRequest("text must not contain NUL characters")


def _holds_nul(value) -> bool:
    pending = [value]               # a loop, not recursion: the body may be deep
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            pending += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            pending += item
    return False
