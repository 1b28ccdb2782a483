"""Slides: the JSON API, the pictures displays load (public, cached), and pushing every change to
the displays at once."""
from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request
from sqlalchemy import or_, select
from sqlalchemy.orm import undefer

from models import Branch, Slide
from models import office as o
from okenko.api import settings_schemas as s
from okenko.api.openapi import document
from okenko.api.schemas import parse_body
from okenko.auth import require_staff
from okenko.realtime import publish_slides

from .work import ADMIN_ROLES, change, read

bp = Blueprint("slides", __name__)
TAG = "administration"
manage = require_staff(ADMIN_ROLES)
IMAGE_URL = "/slides/{id}/image?v={version}"
CACHE_SECONDS = 7 * 24 * 3600  # the address changes with the picture (?v=), so caching long is safe


def publish(branch_code: str | None) -> None:
    """Send the new slide list to the displays of that branch, or of every branch."""
    with read() as session:
        codes = [branch_code] if branch_code else list(session.execute(select(Branch.code)).scalars())
    for code in codes:
        publish_slides(code)


@bp.get("/api/v1/branches/<code>/slides")
@manage
@document("The slides a branch's displays may show (its own and those for every branch)", tag=TAG, auth="staff",
          responses={200: ("The slides", s.SlideList)})
def list_slides(code: str):
    with read() as session:
        branch = o.branch(session, code)
        rows = session.execute(select(Slide).where(or_(Slide.branch_id.is_(None), Slide.branch_id == branch.id))
                               .order_by(Slide.sort_order, Slide.id)).scalars()
        return jsonify([o.slide_json(x) for x in rows])


@bp.post("/api/v1/branches/<code>/slides")
@manage
@document("Add a slide for this branch; displays get it at once", tag=TAG, auth="staff", body=s.SlideChange,
          responses={201: ("The slide", s.SlideOut)})
def create_branch_slide(code: str):
    return _create(code, parse_body(s.SlideChange))


@bp.post("/api/v1/slides")
@manage
@document("Add a slide (branch null: every branch); displays get it at once", tag=TAG, auth="staff",
          body=s.SlideCreate, responses={201: ("The slide", s.SlideOut)})
def create_slide():
    body = parse_body(s.SlideCreate)
    return _create(body.branch, body)


def _create(branch_code: str | None, body):
    with change() as (session, actor):
        row = o.create_slide(session, actor, branch_code, body.changes())
        out = o.slide_json(row)
    publish(branch_code)
    return jsonify(out), 201


@bp.patch("/api/v1/slides/<int:slide_id>")
@manage
@document("Change a slide; displays get it at once", tag=TAG, auth="staff", body=s.SlideChange,
          responses={200: ("The slide", s.SlideOut)})
def update_slide(slide_id: int):
    body = parse_body(s.SlideChange)
    with change() as (session, actor):
        out = o.slide_json(o.update_slide(session, actor, slide_id, body.changes()))
    publish(out["branch"])
    return jsonify(out)


@bp.delete("/api/v1/slides/<int:slide_id>")
@manage
@document("Delete a slide; displays drop it at once", tag=TAG, auth="staff",
          responses={200: ("What happened", s.Removed)})
def remove_slide(slide_id: int):
    with change() as (session, actor):
        branch_code = o.slide_json(o.slide(session, slide_id))["branch"]
        o.remove_slide(session, actor, slide_id)
    publish(branch_code)
    return jsonify({"outcome": "deleted"})


@bp.put("/api/v1/slides/<int:slide_id>/image")
@manage
@document("Upload the slide's picture: the raw PNG, JPEG or WebP file as the body, at most 2 MB", tag=TAG,
          auth="staff", responses={200: ("The slide", s.SlideOut)})
def upload_image(slide_id: int):
    return jsonify(store_image(slide_id, _raw_upload()))


def _raw_upload() -> bytes:
    request.max_content_length = o.MAX_IMAGE_BYTES + 1  # larger than the API's usual body limit
    return request.get_data()


def store_image(slide_id: int, data: bytes) -> dict:
    with change() as (session, actor):
        out = o.slide_json(o.set_slide_image(session, actor, slide_id, data, IMAGE_URL))
    publish(out["branch"])
    return out


@bp.get("/slides/<int:slide_id>/image")
def image(slide_id: int):
    """Public: displays load it without credentials. Cached; the address changes with the picture."""
    with read() as session:
        row = session.get(Slide, slide_id, options=[undefer(Slide.image)])
        if row is None or not row.image:
            abort(404)
        data, kind, sha = row.image, row.image_type, row.image_sha
    response = Response(data, mimetype=kind)
    response.set_etag(sha)
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)

