"""One administrative change = one write transaction, done in the name of the signed-in staff member."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Conflict, Role
from models.fields import REASON, fit
from models.office import Actor
from okenko.auth import current_caller
from okenko.runtime import runtime

# Coordinators run the office; only admins manage staff accounts and roles.
ADMIN_ROLES = (Role.ADMIN, Role.COORDINATOR)
STAFF_ADMIN_ROLES = (Role.ADMIN,)


def actor() -> Actor:
    staff = current_caller().staff
    return Actor(staff.id, staff.username) if staff else Actor(None, "")


@contextmanager
def change() -> Iterator[tuple[Session, Actor]]:
    """A write transaction; a unique constraint the checks did not foresee (a race) is a 409."""
    try:
        with runtime().writer() as session, session.begin():
            yield session, actor()
    except IntegrityError as exc:
        raise Conflict("the change clashes with existing data (a duplicate code, name or number)",
                       reason=fit(str(exc.orig), REASON)) from None


@contextmanager
def read() -> Iterator[Session]:
    with runtime().reader() as session:
        yield session
