"""Public reference data: branches with their services and counters; staff tokens."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Branch, Counter, SessionKind

from ..auth import bearer_token, current_caller, login
from ..runtime import accounts, runtime
from .errors import ApiError
from .openapi import document
from .schemas import BranchList, Empty, TokenOut, TokenRequest, parse_body

bp = Blueprint("directory", __name__, url_prefix="/api/v1")


@bp.get("/branches")
@document("Branches with their services and counters", tag="directory",
          responses={200: ("The branches", BranchList)})
def list_branches():
    with runtime().reader() as session:
        branches = session.execute(
            select(Branch).order_by(Branch.code).options(
                selectinload(Branch.services),
                selectinload(Branch.counters).selectinload(Counter.services))
        ).scalars().all()
        return jsonify([_branch_json(b) for b in branches])


def _branch_json(branch: Branch) -> dict:
    return {
        "code": branch.code, "names": branch.names, "address": branch.address,
        "timezone": branch.timezone, "languages": branch.languages,
        "services": [{"code": s.code, "prefix": s.prefix, "names": s.names, "descriptions": s.descriptions,
                      "languages": s.languages or branch.languages, "active": s.active}
                     for s in branch.services],
        "counters": [{"id": c.id, "name": c.name, "state": c.state, "services": [s.code for s in c.services]}
                     for c in branch.counters],
    }


@bp.post("/auth/token")
@document("Exchange a staff username and password for a bearer token (one session; end it with "
          "/auth/logout). Failed attempts share one budget with the sign-in page", tag="auth", body=TokenRequest,
          responses={200: ("A bearer token", TokenOut), 429: ("Too many failed attempts", None)})
def create_token():
    body = parse_body(TokenRequest)
    staff = login(body.username, body.password)
    return jsonify({
        "token": accounts().open_session(staff.id, SessionKind.API), "token_type": "Bearer",
        "expires_in": runtime().settings.staff_token_max_age_s,
        "staff": {"id": staff.id, "username": staff.username, "display_name": staff.display_name,
                  "role": staff.role},
    })


@bp.post("/auth/logout")
@document("End the session of this bearer token: it stops working at once", tag="auth", auth="staff",
          responses={204: ("Signed out", None)})
def logout():
    parse_body(Empty)
    token = bearer_token()
    if current_caller().staff is None or not token:
        raise ApiError(401, "unauthorized", "send the staff bearer token to end")
    accounts().end_session(token)
    return "", 204
