"""Reading a statistics request: period, branches the caller may see, filters, grouping."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Branch, Role, Staff
from models.fields import iso_day
from models.statistics import DIMENSIONS, StatQuery
from okenko.api.errors import ApiError

# Coordinators and admins see every branch; others only the branches they work at.
ALL_BRANCH_ROLES = {Role.ADMIN.value, Role.COORDINATOR.value}
LONGEST_PERIOD = timedelta(days=5 * 366)


def _list(args: Mapping, name: str) -> tuple[str, ...]:
    values = args.getlist(name) if hasattr(args, "getlist") else [args.get(name, "")]
    return tuple(dict.fromkeys(v.strip() for value in values for v in (value or "").split(",") if v.strip()))


def _date(args: Mapping, name: str) -> date:
    text = args.get(name, "")
    try:
        return iso_day(text)
    except ValueError:
        raise ApiError(400, "invalid_query", f"'{name}' must be a date YYYY-MM-DD", field=name) from None


def visible_branches(session: Session, staff_id: int, role: str) -> list[Branch]:
    if role in ALL_BRANCH_ROLES:
        return list(session.execute(select(Branch).order_by(Branch.code)).scalars())
    return list(session.get(Staff, staff_id).branches)


def parse(args: Mapping, session: Session, staff_id: int, role: str) -> StatQuery:
    date_from, date_to = _date(args, "from"), _date(args, "to")
    if date_to < date_from:
        raise ApiError(400, "invalid_query", "'to' is before 'from'", field="to")
    if date_to - date_from > LONGEST_PERIOD:
        raise ApiError(400, "invalid_query", "the period is longer than five years", field="to")
    by = _list(args, "by")
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise ApiError(400, "invalid_query", f"unknown grouping: {', '.join(unknown)}", field="by",
                       allowed=list(DIMENSIONS))
    if "topic" in by and "hour" in by:
        raise ApiError(400, "invalid_query", "topics are recorded per day: 'topic' cannot be combined "
                       "with 'hour'", field="by")
    visible = {b.code: b.id for b in visible_branches(session, staff_id, role)}
    wanted = _list(args, "branch")
    known = set(session.execute(select(Branch.code).where(Branch.code.in_(wanted))).scalars()) if wanted else set()
    if missing := [code for code in wanted if code not in known]:
        raise ApiError(404, "not_found", f"unknown branch: {', '.join(missing)}", field="branch")
    if forbidden := [code for code in wanted if code not in visible]:
        raise ApiError(403, "forbidden", f"you do not work at: {', '.join(forbidden)}", field="branch")
    branch_ids = tuple(visible[code] for code in (wanted or visible))
    return StatQuery(date_from, date_to, branch_ids, services=_list(args, "service"),
                     languages=_list(args, "language"), by=by)
