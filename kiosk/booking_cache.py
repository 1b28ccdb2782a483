"""The public booking reads (free slots and days, API and page) answered from memory in a surge.

The morning a new month opens, thousands of visitors (and bots) read the same few slot lists. The
slot data is already cached (models/slot_cache.py); this keeps the finished answer too, so a read
costs what the web layer costs, not the serializing and the page's date formatting again.

An answer is kept under the slot cache's generation of its (branch, service): a booking,
cancellation or rebooking anywhere (with several processes, via Redis) makes it stale at once.
It is also stale when the next slot begins (the lists show slots that have not begun) and after the
slot cache's time to live (opening hours and capacity may change). Only whole, successful answers
whose request has no other parameters than the view's own are kept: anything else is worked out
afresh. A page's form carries each visitor's own CSRF token, put in when the page is served.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from flask import Response, g, make_response, request
from flask_wtf.csrf import generate_csrf

from okenko.runtime import appointments


@dataclass(frozen=True)
class _Answer:
    body: bytes
    mimetype: str
    valid_until: datetime | None    # when the next slot begins
    csrf_token: bytes | None        # the token of the visitor it was made for, replaced for each visitor


class _NotKept(Exception):
    def __init__(self, response: Response):
        self.response = response


def cached_read(kind: str, scope: Callable[..., tuple[str, str]], params: tuple[str, ...],
                language: Callable[[], str] | None = None) -> Callable:
    """A GET view of one (branch, service)'s free places, whose answer depends only on its path
    arguments, on the query `params` and on `language()` (a page's language)."""
    allowed = frozenset(params)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **view_args):
            # Kept: the route's own GET. A direct call (a refused form shown again) is not.
            if args or request.method not in ("GET", "HEAD") or view_args != request.view_args \
                    or not allowed.issuperset(request.args.keys()):
                return view(*args, **view_args)
            branch, service = scope(**view_args)
            key = (branch, service, kind, language() if language else None,
                   *sorted(view_args.items()), *(request.args.get(name) for name in params))
            book = appointments()

            def compute() -> _Answer:
                response = make_response(view(**view_args))
                if response.status_code != 200 or response.is_streamed:
                    raise _NotKept(response)
                token = g.get("csrf_token")
                return _Answer(response.get_data(), response.mimetype, book.next_start(branch, service),
                               token.encode() if token else None)

            try:
                answer = book.slot_cache.get((branch, service), key, compute,
                                             fresh=lambda kept: _still_true(kept, book.engine.clock()))
            except _NotKept as refused:
                return refused.response
            return _serve(answer)
        return wrapper
    return decorate


def _still_true(answer: _Answer, now: datetime) -> bool:
    return answer.valid_until is None or now < answer.valid_until


def _serve(answer: _Answer) -> Response:
    body = answer.body
    if answer.csrf_token:
        body = body.replace(answer.csrf_token, generate_csrf().encode())
    return Response(body, mimetype=answer.mimetype)
