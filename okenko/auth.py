"""Who is calling (a staff session or bearer token, or a registered device) and what they may do.

The rules of who may act live here, once: `authorize` checks a staff member's role and, where the
request is bound to a branch, that they work there (models.accounts.StaffIdentity.works_at).
API views say it with `@require_staff(roles, branch=...)`, pages and sockets call `authorize`.
Who may act at a counter (its holder) is the engine's rule: models/engine.py."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import NamedTuple

from flask import g, request
from sqlalchemy import bindparam, select

from models import Branch, Counter, Device, InterpreterRequest, Role, StaffIdentity, Ticket
from models.driver import DriverRead
from models.fields import TOKEN, fit
from models.security import token_fingerprint

from .api.errors import ApiError
from .limits import TooManyAttempts, client_address, sign_in_per_account, sign_in_per_address
from .runtime import runtime

COUNTER_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR, Role.INTERPRETER)
FRONT_DESK_ROLES = COUNTER_ROLES + (Role.RECEPTIONIST,)
# The reception desk's powers over any ticket of their branches: cancel, reprint, printers.
RECEPTION_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.RECEPTIONIST)


class DeviceIdentity(NamedTuple):    # a tuple: built on every kiosk tap, a frozen dataclass cost 2 µs a field
    id: int
    branch_id: int
    branch_code: str
    kind: str
    name: str
    printer: str = ""


@dataclass(frozen=True)
class Caller:
    staff: StaffIdentity | None = None
    # A device token may be shared by several devices (demo secret); the branch in the request picks one.
    devices: tuple[DeviceIdentity, ...] = ()

    def device_for(self, branch_code: str, kind: str) -> DeviceIdentity | None:
        return next((d for d in self.devices if d.branch_code == branch_code and d.kind == kind), None)


def login(username: str, password: str) -> StaffIdentity:
    """Check a username and password, for pages and the API alike (one budget). Only failures count:
    per account from this address, and per address."""
    address, account = client_address(), username.casefold()
    try:
        sign_in_per_address.charge(address)
    except TooManyAttempts as exc:
        raise _locked(exc) from None
    try:
        sign_in_per_account.charge(account, address)
    except TooManyAttempts as exc:
        sign_in_per_address.refund(address)
        raise _locked(exc) from None
    staff = runtime().accounts.verify_credentials(username, password)
    if staff is None:
        raise ApiError(401, "invalid_credentials", "unknown username or wrong password")
    sign_in_per_address.refund(address)
    sign_in_per_account.refund(account, address)
    return staff


def _locked(exc: TooManyAttempts) -> ApiError:
    return ApiError(429, "locked", f"too many failed sign-ins; try again in {exc.retry_after} s",
                    retry_after=exc.retry_after)


# A kiosk or display page keeps its device token in this cookie (HttpOnly, SameSite=Strict),
# so the page's own requests authenticate like the device.
DEVICE_COOKIE = "okenko_device"


def current_caller() -> Caller:
    """The bearer token if any, else a signed-in staff session (pages), else a device cookie."""
    if "caller" not in g:
        header = request.headers.get("Authorization", "")
        if header:
            g.caller = authenticate_header(header)
        elif (user := _session_user()) is not None:
            g.caller = Caller(staff=user.identity)
        elif cookie := request.cookies.get(DEVICE_COOKIE, ""):
            g.caller = device_caller(fit(cookie, TOKEN)) or Caller()
        else:
            g.caller = Caller()
    return g.caller


def _session_user():
    from flask_login import current_user  # the accounts module installs Flask-Login on the app
    return current_user if current_user and current_user.is_authenticated else None


def bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def authenticate_header(header: str) -> Caller:
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if not header:
        return Caller()
    if scheme.lower() != "bearer" or not token or len(token) > 512:
        raise ApiError(401, "invalid_token", "use 'Authorization: Bearer <token>'")
    # Staff tokens are "<session id>.<secret>"; device tokens are plain random strings without dots.
    caller = _staff_caller(token) if "." in token else device_caller(token)
    if caller is None:
        raise ApiError(401, "invalid_token", "the token is unknown, expired or revoked")
    return caller


def _staff_caller(token: str) -> Caller | None:
    staff = runtime().accounts.identity_for(token)
    return None if staff is None else Caller(staff=staff)


DEVICES_BY_TOKEN = (
    select(Device.id, Device.branch_id, Branch.code, Device.kind, Device.name, Device.printer)
    .join(Branch, Branch.id == Device.branch_id)
    .where(Device.token_hash == bindparam("token_hash"), Device.active.is_(True))
)


@lru_cache(maxsize=16)  # one per engine (an app; tests build many)
def _device_lookup(engine) -> DriverRead:
    return DriverRead(engine, DEVICES_BY_TOKEN)


def device_caller(token: str) -> Caller | None:
    # Every kiosk tap authenticates, so this runs on the driver directly (models.db.DriverRead); it
    # reads the database every time, so a revoked device is refused at once.
    rows = _device_lookup(runtime().engine).rows(token_hash=token_fingerprint(token))
    return Caller(devices=tuple(map(DeviceIdentity._make, rows))) if rows else None


# ---- who may do what ---------------------------------------------------------------------------

def may(staff: StaffIdentity | None, roles: Iterable[Role], branch: str | None = None) -> bool:
    return staff is not None and staff.role in {str(r) for r in roles} and (branch is None or staff.works_at(branch))


def authorize(roles: Iterable[Role], branch: str | None = None) -> StaffIdentity:
    """The calling staff member if their role is one of `roles` and they work at `branch` (when the
    request is bound to one); else 401 (nobody signed in) or 403."""
    staff = current_caller().staff
    allowed = sorted(str(r) for r in roles)
    if staff is None:
        raise ApiError(401, "unauthorized", "sign in as staff: send a staff bearer token")
    if staff.role not in allowed:
        raise ApiError(403, "forbidden", f"the role '{staff.role}' may not do this", allowed_roles=allowed)
    if branch is not None and not staff.works_at(branch) and _branch_exists(branch):
        raise ApiError(403, "wrong_branch", f"you do not work at branch '{branch}'", branch=branch)
    return staff  # (an unknown branch is the view's 404)


def require_staff(roles: Iterable[Role], *, branch: Callable[..., str | None] | None = None) -> Callable:
    """Views for staff of `roles`; `branch(**view_args)` names the branch the request is bound to
    (None: unknown, the view answers 404)."""
    roles = tuple(roles)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            authorize(roles)
            if branch is not None:
                authorize(roles, branch(**kwargs))
            return view(*args, **kwargs)
        wrapper.required_roles = frozenset(str(r) for r in roles)  # read by the OpenAPI document
        return wrapper
    return decorate


# Where a request is bound: one small query each (a counter or ticket never changes branch).

def branch_named(code: str, **_) -> str:
    return fit(code, Branch.code)


def branch_in_query(**_) -> str:
    return fit(request.args.get("branch", ""), Branch.code)


def branch_of_counter(counter_id: int, **_) -> str | None:
    return _branch_code(select(Branch.code).join(Counter, Counter.branch_id == Branch.id)
                        .where(Counter.id == counter_id))


def branch_of_ticket(ticket_id: int, **_) -> str | None:
    return _branch_code(select(Branch.code).join(Ticket, Ticket.branch_id == Branch.id).where(Ticket.id == ticket_id))


def branch_of_interpreter_request(request_id: int, **_) -> str | None:
    return _branch_code(select(Branch.code).join(InterpreterRequest, InterpreterRequest.branch_id == Branch.id)
                        .where(InterpreterRequest.id == request_id))


def _branch_exists(code: str) -> bool:
    return _branch_code(select(Branch.code).where(Branch.code == code)) is not None


def _branch_code(statement) -> str | None:
    with runtime().reader() as session:
        return session.execute(statement).scalar_one_or_none()
