"""Who is calling: staff (bearer token, later also a login session) or a registered device."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from flask import g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, select

from models import Branch, Device, Role, Staff, utcnow
from models.security import token_fingerprint, verify_password

from .api.errors import ApiError
from .runtime import runtime

STAFF_TOKEN_SALT = "okenko.staff-api"
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=5)

COUNTER_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR, Role.INTERPRETER)
FRONT_DESK_ROLES = COUNTER_ROLES + (Role.RECEPTIONIST,)


@dataclass(frozen=True)
class StaffIdentity:
    id: int
    username: str
    display_name: str
    role: str


@dataclass(frozen=True)
class DeviceIdentity:
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


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(runtime().settings.secret_key, salt=STAFF_TOKEN_SALT)


def issue_staff_token(staff: Staff) -> str:
    return _serializer().dumps({"s": staff.id, "v": staff.token_version})


def login(username: str, password: str) -> Staff:
    """Check a username and password, with a lockout after repeated failures."""
    now = utcnow()
    with runtime().writer() as session, session.begin():
        staff = session.execute(select(Staff).where(Staff.username == username)).scalar_one_or_none()
        if staff is not None and staff.locked_until and staff.locked_until > now:
            wait = int((staff.locked_until - now).total_seconds()) + 1
            raise ApiError(429, "locked", f"too many failed sign-ins; try again in {wait} s", retry_after=wait)
        accepted = verify_password(staff.password_hash if staff else None, password) and staff.active
        if staff is not None:
            _count_attempt(staff, accepted, now)  # committed whatever the outcome
            session.flush()
            session.expunge(staff)
    if not accepted:
        raise ApiError(401, "invalid_credentials", "unknown username or wrong password")
    return staff


def _count_attempt(staff: Staff, accepted: bool, now) -> None:
    if accepted:
        staff.failed_logins, staff.locked_until = 0, None
        return
    staff.failed_logins += 1
    if staff.failed_logins >= MAX_FAILED_LOGINS:
        staff.locked_until, staff.failed_logins = now + LOCKOUT, 0


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
            g.caller = device_caller(cookie[:512]) or Caller()
        else:
            g.caller = Caller()
    return g.caller


def _session_user():
    from flask_login import current_user
    return current_user if current_user and current_user.is_authenticated else None


def authenticate_header(header: str) -> Caller:
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if not header:
        return Caller()
    if scheme.lower() != "bearer" or not token or len(token) > 512:
        raise ApiError(401, "invalid_token", "use 'Authorization: Bearer <token>'")
    # Staff tokens are signed and carry dots; device tokens are plain random strings.
    caller = _staff_caller(token) if "." in token else device_caller(token)
    if caller is None:
        raise ApiError(401, "invalid_token", "the token is unknown, expired or revoked")
    return caller


def _staff_caller(token: str) -> Caller | None:
    settings = runtime().settings
    try:
        claims = _serializer().loads(token, max_age=settings.staff_token_max_age_s)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(claims, dict):
        return None
    with runtime().reader() as session:
        staff = session.get(Staff, claims.get("s"))
        if staff is None or not staff.active or staff.token_version != claims.get("v"):
            return None
        return Caller(staff=StaffIdentity(staff.id, staff.username, staff.display_name, staff.role))


DEVICES_BY_TOKEN = (
    select(Device.id, Device.branch_id, Branch.code, Device.kind, Device.name, Device.printer)
    .join(Branch, Branch.id == Device.branch_id)
    .where(Device.token_hash == bindparam("token_hash"), Device.active.is_(True))
)


def device_caller(token: str) -> Caller | None:
    # Every kiosk tap authenticates, so this is one prepared Core query.
    with runtime().reader() as session:
        rows = session.connection().execute(DEVICES_BY_TOKEN, {"token_hash": token_fingerprint(token)}).all()
    return Caller(devices=tuple(DeviceIdentity(*row) for row in rows)) if rows else None


def require_staff(roles: Iterable[Role]) -> Callable:
    allowed = frozenset(str(r) for r in roles)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            caller = current_caller()
            if caller.staff is None:
                raise ApiError(401, "unauthorized", "sign in as staff: send a staff bearer token")
            if caller.staff.role not in allowed:
                raise ApiError(403, "forbidden", f"the role '{caller.staff.role}' may not do this",
                               allowed_roles=sorted(allowed))
            return view(*args, **kwargs)
        wrapper.required_roles = allowed  # read by the OpenAPI document
        return wrapper
    return decorate
