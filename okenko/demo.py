"""Demo data: the Prague residence-office scenario. Idempotent: run it as often as you like.

The office itself (branches, hours, services, counters, topics, slides, staff) is the
configuration file config/demo.toml, imported like any office's. On top of it the demo adds what
a file never carries: secrets, devices, and a day in progress.

OKENKO_DEMO_SECRET, when set, becomes the password of every demo staff account and the token of
every demo device. Otherwise each account and device gets a random secret, printed once when it
is created (kept as a hash only).
"""
from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Branch, Counter, Device, DeviceKind, Display, Staff
from models.office import Actor
from models.security import hash_password, token_fingerprint, verify_password

from .office_file import import_office, loads

DEMO_FILE = Path(__file__).resolve().parent.parent / "config" / "demo.toml"
SEEDER = Actor(None, "okenko seed-demo")
# A demo day in progress: these counters are open when first created (branch, counter name).
STAFFED = {("praha-iv", "Přepážka 1"): ("assistant", ["cs", "uk", "ru"]),
           ("praha-iv", "Přepážka 2"): ("counsellor", ["cs", "ru", "en"]),
           ("praha-iv", "Tlumočníci"): ("interpreter-vi", ["vi"])}


def demo_office() -> dict:
    return loads(DEMO_FILE.read_text(encoding="utf-8"))


# Koněvova's services as in the file (the printer's sample ticket uses them).
SERVICES = next(b for b in demo_office()["branches"] if b["code"] == "praha-iv")["services"]


def seed_demo(session: Session, secret: str | None = None) -> list[tuple[str, str]]:
    """Create or update the demo data. Returns (what, secret) for newly generated secrets."""
    office = demo_office()
    had_staff = set(session.execute(select(Staff.username)).scalars())
    had_counters = {tuple(row) for row in session.execute(select(Branch.code, Counter.name).join(Counter.branch))}
    import_office(session, SEEDER, office)
    session.flush()
    printed: list[tuple[str, str]] = []
    for member in office["staff"]:
        printed += _password(session, member["username"], member["role"], member["username"] not in had_staff, secret)
    for branch in session.execute(select(Branch).order_by(Branch.id)).scalars():
        for kind in DeviceKind:
            printed += _device(session, branch, kind, secret)
        _display(session, branch)
        for counter in branch.counters:
            if (branch.code, counter.name) not in had_counters:
                _staff_counter(session, counter, STAFFED.get((branch.code, counter.name)))
    session.flush()
    return printed


def _password(session: Session, username: str, role: str, created: bool, secret: str | None) -> list[tuple[str, str]]:
    staff = session.execute(select(Staff).filter_by(username=username)).scalar_one()
    if secret and (created or not verify_password(staff.password_hash, secret)):
        staff.password_hash = hash_password(secret)
    elif created:
        password = secrets.token_urlsafe(9)
        staff.password_hash = hash_password(password)
        return [(f"password of {username} ({role})", password)]
    return []


def _staff_counter(session: Session, counter: Counter, staffing: tuple[str, list[str]] | None) -> None:
    if staffing is None:
        return
    username, languages = staffing
    staff = session.execute(select(Staff).filter_by(username=username)).scalar_one()
    counter.state, counter.staff_id, counter.languages = "open", staff.id, languages


def _device(session: Session, branch: Branch, kind: DeviceKind, secret: str | None) -> list[tuple[str, str]]:
    name = f"{kind.value}-1"
    device = session.execute(select(Device).filter_by(branch_id=branch.id, name=name)).scalar_one_or_none()
    if device is not None and not secret:
        return []
    token = secret or secrets.token_urlsafe(24)
    if device is None:
        device = Device(branch_id=branch.id, name=name, kind=kind.value, token_hash="")
        session.add(device)
    device.kind, device.token_hash, device.active = kind.value, token_fingerprint(token), True
    return [] if secret else [(f"{kind.value} token, {branch.code}", token)]


def _display(session: Session, branch: Branch) -> None:
    session.flush()
    device = session.execute(select(Device).filter_by(branch_id=branch.id, kind="display")).scalars().first()
    display = session.execute(select(Display).filter_by(branch_id=branch.id, name="Čekárna")).scalar_one_or_none()
    if display is None:
        display = Display(branch_id=branch.id, name="Čekárna")
        session.add(display)
    display.device_id = device.id if device else None
