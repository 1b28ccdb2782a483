"""Domain errors raised by the queue engine; the HTTP layer maps them to 4xx."""
from __future__ import annotations


class DomainError(Exception):
    """Base of every error the engine raises on purpose. `code` is machine-readable."""

    code = "domain_error"

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class IllegalTransition(DomainError):
    """A ticket or counter was asked to change state in a way its state machine forbids."""

    code = "illegal_transition"


class Conflict(DomainError):
    """The request is valid but clashes with the current state (e.g. counter taken)."""

    code = "conflict"


class InvalidInput(DomainError):
    """A value is well-formed but not acceptable (e.g. a language the service does not offer)."""

    code = "invalid_input"


class CounterTaken(Conflict):
    """Someone acts at a counter (or on its ticket) that another person holds."""

    code = "counter_taken"


class NotYourTicket(Conflict):
    """A counter action on a ticket that is at no counter the caller holds."""

    code = "not_your_ticket"
