"""The administration's changes to an office: branches, services, counters, devices, staff,
topics. No Flask here: the admin pages, the JSON API and `okenko config import` call these with a
session inside their own transaction, so an import of a whole file is all or nothing.

Every change writes an audit row (who, what, {field: [before, after]}). Something with history
(tickets, appointments, events) is retired when deleted, never removed.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from . import audit, pairing
from .accounts import StaffSession
from .base import utcnow
from .content import Display, Slide
from .errors import Conflict, InvalidInput, NotFound
from .org import Branch, Counter, Device, DeviceKind, Role, Service, Staff
from .queue import Appointment, Event, Ticket
from .security import hash_password, token_fingerprint
from .topics import Topic

BRANCH_FIELDS = ("names", "address", "timezone", "languages", "opening_hours", "closed_days", "booking_days",
                 "check_in_early_minutes", "appointment_grace_minutes", "kiosk_outside_hours")
SERVICE_FIELDS = ("prefix", "names", "descriptions", "what_to_bring", "languages", "priority", "expected_minutes",
                  "needs_language_match", "bookable", "slot_minutes", "slot_capacity", "sort_order", "active")
COUNTER_FIELDS = ("number", "name", "names", "printer", "sort_order", "active")
STAFF_FIELDS = ("display_name", "role", "languages", "ui_language", "active")
TOPIC_FIELDS = ("names", "sort_order", "active")
DEVICE_TOKEN_BYTES = 24


@dataclass(frozen=True)
class Actor:
    """Who makes the change, for the audit trail."""
    staff_id: int | None
    username: str


SYSTEM = Actor(None, "system")


# ---- shapes (the JSON API and the config file use the same) ------------------------------------

def branch_json(branch: Branch) -> dict:
    return {"code": branch.code, "name": branch.name("cs")} | {f: _plain(getattr(branch, f)) for f in BRANCH_FIELDS}


def service_json(service: Service) -> dict:
    return {"code": service.code} | {f: _plain(getattr(service, f)) for f in SERVICE_FIELDS}


def counter_json(counter: Counter) -> dict:
    return {"id": counter.id} | {f: _plain(getattr(counter, f)) for f in COUNTER_FIELDS} | {
        "services": [s.code for s in counter.services]}


def device_json(device: Device) -> dict:
    return {"id": device.id, "branch": device.branch.code, "kind": device.kind, "name": device.name,
            "printer": device.printer, "printer_state": device.printer_state or None,
            "printer_checked_at": _iso(device.printer_checked_at), "last_seen_at": _iso(device.last_seen_at),
            "created_at": _iso(device.created_at), "active": device.active, "idle_seconds": device.idle_seconds,
            "sound": display_sound(device)}


SOUND_FIELDS = ("chime", "speech", "volume", "spoken_languages")
DEFAULT_SOUND = {"chime": True, "speech": True, "volume": 80, "spoken_languages": []}


def display_sound(device: Device) -> dict | None:
    """A display's announcement settings (its `display` row, or the defaults until it has one)."""
    if device.kind != DeviceKind.DISPLAY:
        return None
    screen = _screen(device)
    return {f: _plain(getattr(screen, f)) for f in SOUND_FIELDS} if screen else dict(DEFAULT_SOUND)


def _screen(device: Device) -> Display | None:
    session = Session.object_session(device)
    return session.execute(select(Display).where(Display.device_id == device.id).order_by(Display.id)
                           ).scalars().first()



def staff_json(staff: Staff) -> dict:
    return {"username": staff.username} | {f: _plain(getattr(staff, f)) for f in STAFF_FIELDS} | {
        "branches": [b.code for b in staff.branches]}


def topic_json(topic: Topic) -> dict:
    return {"code": topic.code} | {f: _plain(getattr(topic, f)) for f in TOPIC_FIELDS}


def _plain(value):
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _apply(row, fields: tuple[str, ...], data: dict) -> dict:
    """Set the given fields; returns {field: [before, after]} of those that changed."""
    before = {f: _plain(getattr(row, f)) for f in fields if f in data}
    for field in before:
        setattr(row, field, data[field])
    return audit.diff(before, {f: data[f] for f in before})


def _record(session: Session, actor: Actor, action: str, target: str, changes: dict | None = None,
            branch_id: int | None = None) -> None:
    audit.record(session, action, target, changes, staff_id=actor.staff_id, actor=actor.username,
                 branch_id=branch_id)


# ---- branches ---------------------------------------------------------------------------------

def branch(session: Session, code: str) -> Branch:
    found = session.execute(select(Branch).where(Branch.code == code)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no branch '{code}'")
    return found


def create_branch(session: Session, actor: Actor, code: str, data: dict) -> Branch:
    if session.execute(select(Branch.id).where(Branch.code == code)).first():
        raise Conflict(f"a branch with code '{code}' exists", field="code")
    row = Branch(code=code, event_seq=0, names={}, languages=[], opening_hours={}, closed_days=[])
    session.add(row)
    changes = _apply(row, BRANCH_FIELDS, _with_name(row, data))
    session.flush()
    _record(session, actor, "branch.created", f"branch:{code}", changes, row.id)
    return row


def update_branch(session: Session, actor: Actor, code: str, data: dict) -> Branch:
    row = branch(session, code)
    changes = _apply(row, BRANCH_FIELDS, _with_name(row, data))
    if changes:
        _record(session, actor, "branch.updated", f"branch:{code}", changes, row.id)
    return row


def _with_name(row: Branch, data: dict) -> dict:
    """`name` is a shortcut for the Czech (default) name, keeping the other languages."""
    if "name" not in data:
        return data
    data = dict(data)
    return data | {"names": (data.get("names") or dict(row.names or {})) | {"cs": data.pop("name")}}


# ---- services ---------------------------------------------------------------------------------

def service(session: Session, branch_code: str, code: str) -> Service:
    found = session.execute(select(Service).join(Branch).where(Branch.code == branch_code, Service.code == code)
                            ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no service '{code}' at branch '{branch_code}'")
    return found


def create_service(session: Session, actor: Actor, branch_code: str, code: str, data: dict) -> Service:
    owner = branch(session, branch_code)
    if any(s.code == code for s in owner.services):
        raise Conflict(f"branch '{branch_code}' already has a service '{code}'", field="code")
    row = Service(branch_id=owner.id, code=code, names={}, descriptions={}, what_to_bring={}, languages=[],
                  sort_order=len(owner.services))
    _check_prefix(owner, row, data.get("prefix"))
    session.add(row)
    changes = _apply(row, SERVICE_FIELDS, data)
    session.flush()
    _record(session, actor, "service.created", f"service:{branch_code}/{code}", changes, owner.id)
    return row


def update_service(session: Session, actor: Actor, branch_code: str, code: str, data: dict) -> Service:
    row = service(session, branch_code, code)
    _check_prefix(row.branch, row, data.get("prefix"))
    changes = _apply(row, SERVICE_FIELDS, data)
    if changes:
        _record(session, actor, "service.updated", f"service:{branch_code}/{code}", changes, row.branch_id)
    return row


def _check_prefix(owner: Branch, row: Service, prefix: str | None) -> None:
    if prefix and any(s.prefix == prefix and s is not row for s in owner.services):
        raise Conflict(f"the ticket prefix '{prefix}' is taken at branch '{owner.code}'", field="prefix")


def remove_service(session: Session, actor: Actor, branch_code: str, code: str) -> str:
    """Retires a service with tickets or appointments; deletes one without. Returns what happened."""
    row = service(session, branch_code, code)
    used = session.execute(select(exists().where(Ticket.service_id == row.id))).scalar() or \
        session.execute(select(exists().where(Appointment.service_id == row.id))).scalar()
    target = f"service:{branch_code}/{code}"
    if used:
        changes = _apply(row, ("active", "bookable"), {"active": False, "bookable": False})
        _record(session, actor, "service.retired", target, changes, row.branch_id)
        return "retired"
    _record(session, actor, "service.deleted", target, {}, row.branch_id)
    session.delete(row)
    return "deleted"


# ---- counters ---------------------------------------------------------------------------------

def counter(session: Session, branch_code: str, counter_id: int) -> Counter:
    found = session.get(Counter, counter_id)
    if found is None or found.branch.code != branch_code:
        raise NotFound(f"no counter {counter_id} at branch '{branch_code}'")
    return found


def create_counter(session: Session, actor: Actor, branch_code: str, data: dict) -> Counter:
    owner = branch(session, branch_code)
    data = {"name": f"{data['number']}"} | data
    _check_counter(owner, None, data)
    row = Counter(branch_id=owner.id, number=data["number"], name=data["name"], names={}, languages=[],
                  state="closed", sort_order=len(owner.counters))
    session.add(row)
    changes = _apply(row, COUNTER_FIELDS, data)
    changes |= _set_counter_services(owner, row, data.get("services"))
    session.flush()
    _record(session, actor, "counter.created", f"counter:{branch_code}/{row.number}", changes, owner.id)
    return row


def update_counter(session: Session, actor: Actor, branch_code: str, counter_id: int, data: dict) -> Counter:
    row = counter(session, branch_code, counter_id)
    _check_counter(row.branch, row, data)
    changes = _apply(row, COUNTER_FIELDS, data) | _set_counter_services(row.branch, row, data.get("services"))
    if changes:
        _record(session, actor, "counter.updated", f"counter:{branch_code}/{row.number}", changes, row.branch_id)
    return row


def _check_counter(owner: Branch, row: Counter | None, data: dict) -> None:
    for field in ("number", "name"):
        value = data.get(field)
        if value is not None and any(getattr(c, field) == value and c is not row for c in owner.counters):
            raise Conflict(f"branch '{owner.code}' already has a counter with {field} {value}", field=field)


def _set_counter_services(owner: Branch, row: Counter, codes: list[str] | None) -> dict:
    if codes is None:
        return {}
    by_code = {s.code: s for s in owner.services}
    unknown = sorted(set(codes) - set(by_code))
    if unknown:
        raise InvalidInput(f"unknown service(s) at branch '{owner.code}': {', '.join(unknown)}", field="services")
    before = [s.code for s in row.services]
    row.services = [by_code[code] for code in codes]
    return {"services": [before, list(codes)]} if before != list(codes) else {}


def remove_counter(session: Session, actor: Actor, branch_code: str, counter_id: int) -> str:
    row = counter(session, branch_code, counter_id)
    used = session.execute(select(exists().where(Ticket.counter_id == row.id))).scalar() or \
        session.execute(select(exists().where(Event.counter_id == row.id))).scalar()
    target = f"counter:{branch_code}/{row.number}"
    if used:
        changes = _apply(row, ("active",), {"active": False}) | _set_counter_services(row.branch, row, [])
        _record(session, actor, "counter.retired", target, changes, row.branch_id)
        return "retired"
    _record(session, actor, "counter.deleted", target, {}, row.branch_id)
    session.delete(row)
    return "deleted"


# ---- devices ----------------------------------------------------------------------------------

def device(session: Session, branch_code: str, device_id: int) -> Device:
    found = session.get(Device, device_id)
    if found is None or found.branch.code != branch_code:
        raise NotFound(f"no device {device_id} at branch '{branch_code}'")
    return found


def create_device(session: Session, actor: Actor, branch_code: str, kind: str, name: str,
                  token_hash: str | None = None) -> tuple[Device, str | None]:
    """A new kiosk or display. Without `token_hash` (pairing), a token is made and returned once."""
    owner = branch(session, branch_code)
    if kind not in {k.value for k in DeviceKind}:
        raise InvalidInput(f"unknown device kind '{kind}'", field="kind")
    if session.execute(select(Device.id).where(Device.branch_id == owner.id, Device.name == name)).first():
        raise Conflict(f"branch '{branch_code}' already has a device named '{name}'", field="name")
    token = None if token_hash else secrets.token_urlsafe(DEVICE_TOKEN_BYTES)
    row = Device(branch_id=owner.id, kind=kind, name=name, token_hash=token_hash or token_fingerprint(token),
                 created_at=utcnow())
    session.add(row)
    session.flush()
    _record(session, actor, "device.created", f"device:{row.id}", {"branch": [None, branch_code], "kind": [None, kind],
                                                                 "name": [None, name]}, owner.id)
    return row, token


def pair_device(session: Session, actor: Actor, code: str, branch_code: str, kind: str, name: str,
                now: datetime) -> Device:
    """The coordinator typed the code a screen shows: that screen becomes this device."""
    request = pairing.waiting_request(session, code, now)
    if request.kind != kind:
        raise InvalidInput(f"the screen with this code is a {request.kind}, not a {kind}", field="kind")
    row, _token = create_device(session, actor, branch_code, kind, name, token_hash=request.token_hash)
    request.device_id = row.id
    return row


def update_device(session: Session, actor: Actor, branch_code: str, device_id: int, data: dict) -> Device:
    # Locked: two saves of a display without its settings row must not both add one.
    session.get(Device, device_id, with_for_update=True)
    row = device(session, branch_code, device_id)
    sound = {f: data[f] for f in SOUND_FIELDS if f in data}
    if sound and row.kind != DeviceKind.DISPLAY:
        raise InvalidInput("sound settings are for displays")
    if "idle_seconds" in data and row.kind != DeviceKind.KIOSK:
        raise InvalidInput("a time limit is for kiosks")
    if "branch" in data and data["branch"] != branch_code:
        moved_to = branch(session, data["branch"])
        row.branch_id, row.branch = moved_to.id, moved_to
        if (screen := _screen(row)) is not None:   # its services were the old branch's
            screen.branch_id, screen.service_codes = moved_to.id, []
    changes = _apply(row, ("name", "printer", "idle_seconds"), data)
    if sound:
        screen = _screen(row)
        if screen is None:
            screen = Display(branch_id=row.branch_id, device_id=row.id, name=row.name, **DEFAULT_SOUND)
            session.add(screen)
        changes |= _apply(screen, tuple(sound), sound)
    if "branch" in data and data["branch"] != branch_code:
        changes["branch"] = [branch_code, data["branch"]]
    if changes:
        _record(session, actor, "device.updated", f"device:{row.id}", changes, row.branch_id)
    return row


def revoke_device(session: Session, actor: Actor, branch_code: str, device_id: int) -> Device:
    """The device stops working at its next request: its token no longer authenticates."""
    row = device(session, branch_code, device_id)
    changes = _apply(row, ("active",), {"active": False})
    _record(session, actor, "device.revoked", f"device:{row.id}", changes, row.branch_id)
    return row


# ---- staff ------------------------------------------------------------------------------------

def staff(session: Session, username: str) -> Staff:
    found = session.execute(select(Staff).where(Staff.username == username)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no staff member '{username}'")
    return found


def create_staff(session: Session, actor: Actor, username: str, password: str | None, data: dict) -> Staff:
    if session.execute(select(Staff.id).where(Staff.username == username)).first():
        raise Conflict(f"the username '{username}' is taken", field="username")
    row = Staff(username=username, password_hash=hash_password(password or secrets.token_urlsafe(18)), languages=[])
    _check_role(data.get("role"))
    session.add(row)
    changes = _apply(row, STAFF_FIELDS, {"display_name": "", "ui_language": "cs", "active": True} | data)
    changes |= _set_staff_branches(session, row, data.get("branches"))
    session.flush()
    _record(session, actor, "staff.created", f"staff:{username}", changes)
    return row


def update_staff(session: Session, actor: Actor, username: str, data: dict) -> Staff:
    row = staff(session, username)
    _check_role(data.get("role"))
    was_active = row.active
    changes = _apply(row, STAFF_FIELDS, data) | _set_staff_branches(session, row, data.get("branches"))
    if was_active and row.active is False:
        end_sessions(session, row)  # (a new role or branches apply at once: sessions read them each request)
    if changes:
        _record(session, actor, "staff.updated", f"staff:{username}", changes)
    return row


def _check_role(role: str | None) -> None:
    if role is not None and role not in {r.value for r in Role}:
        raise InvalidInput(f"unknown role '{role}'", field="role")


def _set_staff_branches(session: Session, row: Staff, codes: list[str] | None) -> dict:
    if codes is None:
        return {}
    found = session.execute(select(Branch).where(Branch.code.in_(codes))).scalars().all()
    unknown = sorted(set(codes) - {b.code for b in found})
    if unknown:
        raise InvalidInput(f"unknown branch(es): {', '.join(unknown)}", field="branches")
    before = [b.code for b in row.branches]
    row.branches = sorted(found, key=lambda b: b.code)
    after = [b.code for b in row.branches]
    return {"branches": [before, after]} if before != after else {}


# Sessions are rows (models/accounts.py, the "auth" work): these end them inside the caller's
# transaction, so a reset or a disable and the end of every session commit together.

def end_sessions(session: Session, row: Staff) -> int:
    return session.execute(update(StaffSession).where(StaffSession.staff_id == row.id, StaffSession.ended_at.is_(None))
                           .values(ended_at=utcnow())).rowcount


def reset_password(session: Session, actor: Actor, username: str, password: str) -> Staff:
    row = staff(session, username)
    row.password_hash = hash_password(password)
    end_sessions(session, row)
    _record(session, actor, "staff.password_reset", f"staff:{username}", {"password": ["…", "…"]})
    return row


def sign_out_everywhere(session: Session, actor: Actor, username: str) -> Staff:
    """A lost phone or a shared computer: every session and token of the account ends; it may sign in again."""
    row = staff(session, username)
    ended = end_sessions(session, row)
    _record(session, actor, "staff.signed_out_everywhere", f"staff:{username}", {"sessions": [ended, 0]})
    return row


def disable_staff(session: Session, actor: Actor, username: str) -> Staff:
    row = staff(session, username)
    before = row.active
    row.active = False
    end_sessions(session, row)
    _record(session, actor, "staff.disabled", f"staff:{username}", {"active": [before, False]})
    return row


# ---- intervention topics ------------------------------------------------------------------------

def topic(session: Session, code: str) -> Topic:
    found = session.execute(select(Topic).where(Topic.code == code)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no topic '{code}'")
    return found


def create_topic(session: Session, actor: Actor, code: str, data: dict) -> Topic:
    if session.execute(select(Topic.id).where(Topic.code == code)).first():
        raise Conflict(f"a topic '{code}' exists", field="code")
    count = len(session.execute(select(Topic.id)).all())
    row = Topic(code=code, names={}, active=True, sort_order=count)
    session.add(row)
    changes = _apply(row, TOPIC_FIELDS, data)
    session.flush()
    _record(session, actor, "topic.created", f"topic:{code}", changes)
    return row


def update_topic(session: Session, actor: Actor, code: str, data: dict) -> Topic:
    row = topic(session, code)
    changes = _apply(row, TOPIC_FIELDS, data)
    if changes:
        _record(session, actor, "topic.updated", f"topic:{code}", changes)
    return row


def retire_topic(session: Session, actor: Actor, code: str) -> Topic:
    """Topics are recorded in past events' data: they are retired, never deleted."""
    row = topic(session, code)
    changes = _apply(row, ("active",), {"active": False})
    _record(session, actor, "topic.retired", f"topic:{code}", changes)
    return row


def all_topics(session: Session) -> list[Topic]:
    return list(session.execute(select(Topic).order_by(Topic.sort_order, Topic.code)).scalars())



# ---- slides -----------------------------------------------------------------------------------

SLIDE_FIELDS = ("language", "title", "body", "duration_s", "valid_from", "valid_until", "weekdays", "time_from",
                "time_until", "sort_order", "active")
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
MAX_IMAGE_BYTES = 2 * 1024 * 1024


def slide_json(slide: Slide) -> dict:
    return {"id": slide.id, "branch": slide.branch.code if slide.branch_id else None,
            "image_url": slide.image_url} | {f: _plain(getattr(slide, f)) for f in SLIDE_FIELDS} | {
        "valid_from": _iso(slide.valid_from), "valid_until": _iso(slide.valid_until)}


def slide(session: Session, slide_id: int) -> Slide:
    found = session.get(Slide, slide_id)
    if found is None:
        raise NotFound(f"no slide {slide_id}")
    return found


def create_slide(session: Session, actor: Actor, branch_code: str | None, data: dict) -> Slide:
    owner = branch(session, branch_code) if branch_code else None
    row = Slide(branch_id=owner.id if owner else None, language="", title="", body="", image_url="",
                weekdays=[], time_from="", time_until="", duration_s=15, sort_order=0, active=True)
    session.add(row)
    changes = _apply(row, SLIDE_FIELDS, data)
    session.flush()
    _record(session, actor, "slide.created", f"slide:{row.id}", _dates_as_text(changes), row.branch_id)
    return row


def update_slide(session: Session, actor: Actor, slide_id: int, data: dict) -> Slide:
    row = slide(session, slide_id)
    changes = _apply(row, SLIDE_FIELDS, data)
    if changes:
        _record(session, actor, "slide.updated", f"slide:{row.id}", _dates_as_text(changes), row.branch_id)
    return row


def remove_slide(session: Session, actor: Actor, slide_id: int) -> str:
    row = slide(session, slide_id)
    _record(session, actor, "slide.deleted", f"slide:{row.id}", {"title": [row.title, None]}, row.branch_id)
    session.delete(row)
    return "deleted"


def set_slide_image(session: Session, actor: Actor, slide_id: int, data: bytes, url: str) -> Slide:
    """Store a picture after checking it really is a PNG, JPEG or WebP of at most 2 MB.
    `url` (with {id} and {version}) is where the web layer serves it."""
    import hashlib
    import io

    from PIL import Image, UnidentifiedImageError
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidInput(f"the picture is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB", field="image")
    try:
        with Image.open(io.BytesIO(data)) as picture:
            kind = picture.format
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidInput("the file is not a picture (use PNG, JPEG or WebP)", field="image") from None
    if kind not in IMAGE_TYPES:
        raise InvalidInput(f"{kind} pictures are not accepted (use PNG, JPEG or WebP)", field="image")
    row = slide(session, slide_id)
    sha = hashlib.sha256(data).hexdigest()
    row.image, row.image_type, row.image_sha = data, IMAGE_TYPES[kind], sha
    row.image_url = url.format(id=row.id, version=sha[:12])
    _record(session, actor, "slide.image_set", f"slide:{row.id}", {"image": [None, f"{kind}, {len(data)} bytes"]},
            row.branch_id)
    return row


def _dates_as_text(changes: dict) -> dict:
    return {k: [_iso(v[0]) if hasattr(v[0], "isoformat") else v[0], _iso(v[1]) if hasattr(v[1], "isoformat") else v[1]]
            for k, v in changes.items()}
