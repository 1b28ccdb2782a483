"""The public booking reads (free slots and days, API and page) answered from memory in a surge.

The morning a new month opens, thousands of visitors (and bots) read the same few slot lists. The
slot data is already cached (models/slot_cache.py); this keeps the finished answer too, so a read
costs what the web layer costs, not the serializing and the page's date formatting again.

An answer is kept under the slot cache's generation of its (branch, service): a booking,
cancellation or rebooking anywhere (with several processes, via Redis) makes it stale at once.
It is also stale when the next slot begins (the lists show slots that have not begun) and after the
slot cache's time to live (opening hours and capacity may change). Only whole, successful answers
to a GET whose parameters are the view's own, each with a value the view accepts, are kept:
anything else (a HEAD or a form body, a rebooking, an unknown language) is worked out afresh, so
nobody can put a page of their own into the cache, nor flush it with made-up values. The answers
have their own bounded store, apart from the slot data. A kept page is the same bytes for every
visitor: its form carries no per-visitor token (okenko/public_forms.py says why).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from flask import Flask, Response, current_app, make_response, request

from models.fields import iso_day
from models.slot_cache import SlotCache
from okenko.runtime import appointments

# Finished answers kept per process: a slot page is about 30 kB.
MAX_ANSWERS = 500


@dataclass(frozen=True)
class _Answer:
    body: bytes
    mimetype: str
    valid_until: datetime | None    # when the next slot begins


class _NotKept(Exception):
    def __init__(self, response: Response):
        self.response = response


def cached_read(kind: str, scope: Callable[..., tuple[str, str]], params: Mapping[str, Callable[[str], bool]],
                language: Callable[[], str] | None = None) -> Callable:
    """A GET view of one (branch, service)'s free places, whose answer depends only on its path
    arguments, on the query `params` (name → whether a value is one the view uses as given) and on
    `language()` (a page's language)."""
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **view_args):
            if args or not _keepable(view_args, params):
                return view(*args, **view_args)    # e.g. a refused form shown again, called directly
            branch, service = scope(**view_args)
            key = (branch, service, kind, language() if language else None,
                   *sorted(view_args.items()), *(request.args.get(name) for name in params))
            book = appointments()

            def compute() -> _Answer:
                asked_at = book.engine.clock()      # the view reads no earlier than this
                response = make_response(view(**view_args))
                if response.status_code != 200 or response.is_streamed:
                    raise _NotKept(response)
                return _Answer(response.get_data(), response.mimetype, book.next_start(branch, service, asked_at))

            try:
                answer = _answers(current_app, book.slot_cache).get(
                    (branch, service), key, compute, fresh=lambda kept: _still_true(kept, book.engine.clock()))
            except _NotKept as refused:
                return refused.response
            return _serve(answer)
        return wrapper
    return decorate


def any_value(_value: str) -> bool:
    return True


def a_day(value: str) -> bool:
    """A day written as YYYY-MM-DD (other spellings of it are answered, not kept)."""
    try:
        return iso_day(value).isoformat() == value
    except ValueError:
        return False


def _keepable(view_args: dict, params: Mapping[str, Callable[[str], bool]]) -> bool:
    """The route's own GET: no body, only the view's parameters, each with a value it uses as given."""
    if request.method != "GET" or view_args != request.view_args or request.content_length:
        return False
    return all(name in params and params[name](value) for name, value in request.args.items(multi=True))


def _answers(app: Flask, slots: SlotCache) -> SlotCache:
    """This app's store of answers: the slot cache's generations, its own entries."""
    store = app.extensions.get("okenko.booking_answers")
    if store is None:
        store = app.extensions["okenko.booking_answers"] = SlotCache(slots.generations, ttl_s=slots.ttl_s,
                                                                    max_entries=MAX_ANSWERS)
    return store


def _still_true(answer: _Answer, now: datetime) -> bool:
    return answer.valid_until is None or now < answer.valid_until


def _serve(answer: _Answer) -> Response:
    return Response(answer.body, mimetype=answer.mimetype)
