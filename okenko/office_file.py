"""An office's configuration as a TOML file: `okenko config export` / `okenko config import`.

Branches (hours, closed days, services, counters), intervention topics, text slides and staff
(without passwords) go into one file; importing it creates or updates the same on another
installation. The whole file is validated first (the JSON API's rules, every problem listed),
then applied in the caller's single transaction: all or nothing. Importing the same file twice
changes nothing the second time.
"""
from __future__ import annotations

import secrets
import tomllib

import tomli_w
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Branch, InvalidInput, Slide, Staff, Topic
from models import office as o

from .api import settings_schemas as s

BRANCH_KEYS = o.BRANCH_FIELDS
SERVICE_KEYS = tuple(k for k in o.SERVICE_FIELDS)
COUNTER_KEYS = ("number", "name", "names", "services", "printer", "sort_order")
STAFF_KEYS = ("display_name", "role", "languages", "ui_language", "active", "branches")
SLIDE_KEYS = o.SLIDE_FIELDS


# ---- export -------------------------------------------------------------------------------------

def export_office(session: Session) -> dict:
    branches = session.execute(select(Branch).order_by(Branch.code)).scalars().all()
    staff = session.execute(select(Staff).order_by(Staff.username)).scalars().all()
    slides = session.execute(select(Slide).order_by(Slide.sort_order, Slide.id)).scalars().all()
    return {
        "topics": [o.topic_json(t) for t in o.all_topics(session)],
        "branches": [_branch(b) for b in branches],
        "slides": [_slide(x) for x in slides],
        "staff": [{"username": m.username} | {k: v for k, v in o.staff_json(m).items() if k in STAFF_KEYS}
                  for m in staff],
    }


def _branch(branch: Branch) -> dict:
    data = {"code": branch.code} | {k: v for k, v in o.branch_json(branch).items() if k in BRANCH_KEYS}
    data["services"] = [o.service_json(x) for x in branch.services]
    data["counters"] = [{k: v for k, v in o.counter_json(c).items() if k in COUNTER_KEYS}
                        for c in branch.counters if c.active]
    return data


def _slide(slide: Slide) -> dict:
    data = {k: v for k, v in o.slide_json(slide).items() if k in SLIDE_KEYS or k == "branch"}
    return {k: v for k, v in data.items() if v is not None}   # TOML has no null: absent means none


def dumps(data: dict) -> str:
    header = "# Okénko office configuration: `okenko config import FILE` creates or updates all of it.\n"
    return header + tomli_w.dumps(data)


def loads(text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"not a valid TOML file: {exc}") from None


# ---- import -------------------------------------------------------------------------------------

def validate(data: dict) -> list[str]:
    """Every problem in the file, as "where: what"; empty when it can be imported."""
    problems: list[str] = []
    unknown = sorted(set(data) - {"topics", "branches", "slides", "staff"})
    problems += [f"{key}: unknown section" for key in unknown]
    branch_codes = set()
    for i, branch in enumerate(_list(data, "branches", problems)):
        where = f"branches[{i}] ({branch.get('code', '?')})"
        _check(s.BranchCreate, {k: v for k, v in branch.items() if k not in ("services", "counters")}, where, problems)
        branch_codes.add(branch.get("code"))
        services = _list(branch, "services", problems, where)
        codes = {x.get("code") for x in services}
        for j, service in enumerate(services):
            _check(s.ServiceCreate, service, f"{where}.services[{j}]", problems)
        for j, counter in enumerate(_list(branch, "counters", problems, where)):
            _check(s.CounterCreate, counter, f"{where}.counters[{j}]", problems)
            missing = sorted(set(counter.get("services", [])) - codes)
            if missing:
                problems.append(f"{where}.counters[{j}]: services not in this branch: {', '.join(missing)}")
    for i, topic in enumerate(_list(data, "topics", problems)):
        _check(s.TopicCreate, topic, f"topics[{i}]", problems)
    for i, slide in enumerate(_list(data, "slides", problems)):
        _check(s.SlideCreate, slide, f"slides[{i}]", problems)
    for i, member in enumerate(_list(data, "staff", problems)):
        _check(s.StaffCreate, member, f"staff[{i}]", problems)
    return problems


def _list(data: dict, key: str, problems: list[str], where: str = "") -> list[dict]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
        problems.append(f"{where + '.' if where else ''}{key}: must be a list of tables ([[{key}]])")
        return []
    return value


def _check(schema, item: dict, where: str, problems: list[str]) -> None:
    try:
        schema.model_validate(item, strict=False)
    except ValidationError as exc:
        problems += [f"{where}.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)]


def import_office(session: Session, actor: o.Actor, data: dict) -> dict[str, int]:
    """Validate the whole file, then create or update what it holds. Returns counts of what it holds."""
    problems = validate(data)
    if problems:
        raise InvalidInput(f"the file has {len(problems)} problem(s): " + "; ".join(problems[:20]), problems=problems)
    for topic in data.get("topics", []):
        body = s.TopicCreate.model_validate(topic, strict=False)
        if _exists(session, Topic, code=body.code):
            o.update_topic(session, actor, body.code, body.changes())
        else:
            o.create_topic(session, actor, body.code, body.changes())
    for branch in data.get("branches", []):
        _import_branch(session, actor, branch)
    session.flush()
    for slide in data.get("slides", []):
        _import_slide(session, actor, s.SlideCreate.model_validate(slide, strict=False))
    for member in data.get("staff", []):
        body = s.StaffCreate.model_validate(member, strict=False)
        if _exists(session, Staff, username=body.username):
            o.update_staff(session, actor, body.username, body.changes())
        else:  # a password nobody knows: an admin sets one (`okenko staff set-password`, or the staff page)
            o.create_staff(session, actor, body.username, secrets.token_urlsafe(18), body.changes())
    return {key: len(data.get(key, [])) for key in ("topics", "branches", "slides", "staff")}


def _exists(session: Session, model, **keys) -> bool:
    return session.execute(select(model.id).filter_by(**keys)).first() is not None


def _import_branch(session: Session, actor: o.Actor, data: dict) -> None:
    body = s.BranchCreate.model_validate({k: v for k, v in data.items() if k not in ("services", "counters")},
                                         strict=False)
    if _exists(session, Branch, code=body.code):
        o.update_branch(session, actor, body.code, body.changes())
    else:
        o.create_branch(session, actor, body.code, body.changes())
    session.flush()
    known = {x.code for x in o.branch(session, body.code).services}
    for item in data.get("services", []):
        service = s.ServiceCreate.model_validate(item, strict=False)
        if service.code in known:
            o.update_service(session, actor, body.code, service.code, service.changes())
        else:
            o.create_service(session, actor, body.code, service.code, service.changes())
        session.flush()
    session.flush()
    existing = {c.number: c.id for c in o.branch(session, body.code).counters}
    for item in data.get("counters", []):
        counter = s.CounterCreate.model_validate(item, strict=False)
        if counter.number in existing:
            o.update_counter(session, actor, body.code, existing[counter.number], counter.changes())
        else:
            o.create_counter(session, actor, body.code, counter.changes())
        session.flush()


def _import_slide(session: Session, actor: o.Actor, body: s.SlideCreate) -> None:
    """A slide is the same slide when its branch, language and title are."""
    branch_id = o.branch(session, body.branch).id if body.branch else None
    found = session.execute(select(Slide).where(
        Slide.branch_id.is_(None) if branch_id is None else Slide.branch_id == branch_id,
        Slide.language == (body.language or ""), Slide.title == body.title)).scalars().first()
    changes = body.changes() | {"valid_from": body.valid_from, "valid_until": body.valid_until}
    if found is None:
        o.create_slide(session, actor, body.branch, changes)
    else:
        o.update_slide(session, actor, found.id, changes)

