"""What a waiting-room display shows, as one snapshot."""
from __future__ import annotations

from flask import Blueprint, jsonify

from okenko.api.openapi import document
from okenko.api.schemas import Snapshot
from okenko.runtime import queue

bp = Blueprint("display_api", __name__, url_prefix="/api/v1")


@bp.get("/branches/<code>/snapshot")
@document("Current and recent calls, waiting counts and estimated waits of a branch", tag="displays",
          responses={200: ("The snapshot", Snapshot)})
def snapshot(code: str):
    return jsonify(queue().snapshot(code[:40]))
