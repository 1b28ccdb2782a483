"""Staff side of "Call staff": the branch's waiting alerts, and acknowledging one (it then leaves
every reception page and console of the branch)."""
from __future__ import annotations

from flask import Blueprint, jsonify

from models import Branch
from models.fields import fit
from okenko.api.openapi import document
from okenko.api.schemas import Empty, parse_body
from okenko.auth import FRONT_DESK_ROLES, current_caller, require_staff
from okenko.runtime import help_desk

bp = Blueprint("help_api", __name__, url_prefix="/api/v1")


@bp.get("/branches/<code>/help-requests")
@document("Kiosks' calls for staff not yet acknowledged today", tag="kiosk", auth="staff",
          responses={200: ("The waiting alerts", None)})
@require_staff(FRONT_DESK_ROLES)
def waiting_alerts(code: str):
    return jsonify(help_desk().waiting(fit(code, Branch.code)))


@bp.post("/branches/<code>/help-requests/<int:seq>/acknowledge")
@document("Someone is on the way: the alert ends on every screen", tag="kiosk", auth="staff",
          responses={200: ("The acknowledged alert", None)})
@require_staff(FRONT_DESK_ROLES)
def acknowledge(code: str, seq: int):
    parse_body(Empty)
    return jsonify(help_desk().acknowledge(fit(code, Branch.code), seq, staff_id=current_caller().staff.id))
