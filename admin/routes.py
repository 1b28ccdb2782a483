"""Administration pages (Czech and English): coordinators and admins set up an office; only
admins manage staff and read the audit trail. Each form posts, changes one thing through
models.office (validated by the API's schemas), and redirects back with a message."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from pydantic import BaseModel, ValidationError

from okenko.api.schemas import Empty
from sqlalchemy import select

from models import AuditEvent, Branch, Device, DomainError, Slide, Staff, utcnow
from models.hours import DAYS
from models import office as o
from okenko.devices import disconnect_device
from okenko.i18n import LANGUAGES

from . import forms
from okenko.api import settings_schemas as s
from .api import audit_json, missing_translations
from .slides import publish, store_image
from .work import ADMIN_ROLES, STAFF_ADMIN_ROLES, change, read

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static",
               static_url_path="/admin/static")
ROLES = ("admin", "coordinator", "counsellor", "interpreter", "receptionist")


@bp.before_request
@login_required
def _office_managers_only():
    if current_user.identity.role not in {str(r) for r in ADMIN_ROLES}:
        abort(403)


def admins_only(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user.identity.role not in {str(r) for r in STAFF_ADMIN_ROLES}:
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def render(template: str, **context):
    return render_template(f"admin/{template}", languages=LANGUAGES, is_admin=current_user.identity.role == "admin",
                           **context)


def apply(schema: type[BaseModel], data: dict, action: Callable, done: str, back: str):
    """Validate `data` with the API's schema, run `action(session, actor, body)`, flash, redirect."""
    try:
        body = schema.model_validate(data, strict=False)
        with change() as (session, actor):
            action(session, actor, body)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False))
        flash(_("Not saved: %(problems)s", problems=problems), "error")
    except DomainError as exc:
        flash(_("Not saved: %(problems)s", problems=exc.message), "error")
    else:
        flash(done, "ok")
    return redirect(back)


# ---- overview and branches --------------------------------------------------------------------------

@bp.get("")
def overview():
    with read() as session:
        branches = session.execute(select(Branch).order_by(Branch.code)).scalars().all()
        return render("overview.html", branches=branches)


@bp.post("/branches")
def create_branch():
    data = {"code": request.form.get("code", "").strip(), "timezone": request.form.get("timezone", "").strip()
            or "Europe/Prague"} | forms.branch_changes(request.form)
    target = url_for("admin.branch", code=data["code"]) if data["code"] else url_for("admin.overview")
    return apply(s.BranchCreate, data, lambda session, actor, body: o.create_branch(
        session, actor, body.code, body.changes()), _("Branch created."), target)


@bp.get("/branches/<code>")
def branch(code: str):
    with read() as session:
        try:
            row = o.branch(session, code)
        except DomainError:
            abort(404)
        devices = session.execute(select(Device).where(Device.branch_id == row.id).order_by(Device.id)).scalars().all()
        branches = session.execute(select(Branch.code).order_by(Branch.code)).scalars().all()
        return render("branch.html", branch=row, hours=forms.hours_text(row.opening_hours),
                      missing={x.code: missing_translations(x, row) for x in row.services},
                      devices=devices, branch_codes=branches,
                      seen={d.id: _moment(d.last_seen_at) for d in devices},
                      sound={d.id: o.display_sound(d) for d in devices})


def _moment(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "–"


@bp.post("/branches/<code>")
def update_branch(code: str):
    return apply(s.BranchChange, forms.branch_changes(request.form), lambda session, actor, body: o.update_branch(
        session, actor, code, body.changes()), _("Saved."), url_for("admin.branch", code=code))


# ---- services ---------------------------------------------------------------------------------------

@bp.post("/branches/<code>/services")
def create_service(code: str):
    data = forms.service_changes(request.form) | {"code": request.form.get("code", "").strip(), "active": True}
    return apply(s.ServiceCreate, data, lambda session, actor, body: o.create_service(
        session, actor, code, body.code, body.changes()), _("Service added."), url_for("admin.branch", code=code))


@bp.get("/branches/<code>/services/<service>")
def service(code: str, service: str):
    with read() as session:
        try:
            row = o.service(session, code, service)
        except DomainError:
            abort(404)
        return render("service.html", branch=row.branch, service=row, missing=missing_translations(row, row.branch))


@bp.post("/branches/<code>/services/<service>")
def update_service(code: str, service: str):
    return apply(s.ServiceChange, forms.service_changes(request.form), lambda session, actor, body: o.update_service(
        session, actor, code, service, body.changes()), _("Saved."),
        url_for("admin.service", code=code, service=service))


@bp.post("/branches/<code>/services/<service>/remove")
def remove_service(code: str, service: str):
    return apply(Empty, {}, lambda session, actor, body: o.remove_service(session, actor, code, service),
                 _("Service removed (retired if it has history)."), url_for("admin.branch", code=code))


# ---- counters ---------------------------------------------------------------------------------------

@bp.post("/branches/<code>/counters")
def create_counter(code: str):
    return apply(s.CounterCreate, forms.counter_changes(request.form), lambda session, actor, body: o.create_counter(
        session, actor, code, body.changes()), _("Counter added."), url_for("admin.branch", code=code))


@bp.get("/branches/<code>/counters/<int:counter_id>")
def counter(code: str, counter_id: int):
    with read() as session:
        try:
            row = o.counter(session, code, counter_id)
        except DomainError:
            abort(404)
        return render("counter.html", branch=row.branch, counter=row, serves={x.code for x in row.services})


@bp.post("/branches/<code>/counters/<int:counter_id>")
def update_counter(code: str, counter_id: int):
    return apply(s.CounterChange, forms.counter_changes(request.form), lambda session, actor, body: o.update_counter(
        session, actor, code, counter_id, body.changes()), _("Saved."),
        url_for("admin.counter", code=code, counter_id=counter_id))


@bp.post("/branches/<code>/counters/<int:counter_id>/remove")
def remove_counter(code: str, counter_id: int):
    return apply(Empty, {}, lambda session, actor, body: o.remove_counter(session, actor, code, counter_id),
                 _("Counter removed (retired if it has history)."), url_for("admin.branch", code=code))


# ---- devices ----------------------------------------------------------------------------------------

@bp.post("/branches/<code>/devices/pair")
def pair_device(code: str):
    data = {"code": request.form.get("code", "").strip(), "kind": request.form.get("kind", ""),
            "name": request.form.get("name", "").strip()}
    return apply(s.DevicePair, data, lambda session, actor, body: o.pair_device(
        session, actor, body.code, code, body.kind, body.name, utcnow()),
        _("Paired: the screen starts within a few seconds."), url_for("admin.branch", code=code) + "#devices")


@bp.post("/branches/<code>/devices/<int:device_id>")
def update_device(code: str, device_id: int):
    idle = request.form.get("idle_seconds", "").strip()
    data = {"name": request.form.get("name", "").strip() or None, "branch": request.form.get("branch") or None,
            "printer": request.form.get("printer", "").strip(),
            "idle_seconds": int(idle) if idle.isdigit() else idle or None}   # anything else: refused, 422
    if request.form.get("sound"):                     # a display's form: unticked boxes are "off"
        volume = request.form.get("volume", "").strip()
        data |= {"chime": "chime" in request.form, "speech": "speech" in request.form,
                 "volume": int(volume) if volume.isdigit() else volume or None,
                 "spoken_languages": request.form.getlist("spoken_languages")}
    data = {k: v for k, v in data.items() if v is not None}
    target = data.get("branch", code)
    return apply(s.DeviceChange, data, lambda session, actor, body: o.update_device(
        session, actor, code, device_id, body.changes()), _("Saved."), url_for("admin.branch", code=target) + "#devices")


@bp.post("/branches/<code>/devices/<int:device_id>/revoke")
def revoke_device(code: str, device_id: int):
    result = apply(Empty, {}, lambda session, actor, body: o.revoke_device(session, actor, code, device_id),
                   _("Device revoked: it stopped working."), url_for("admin.branch", code=code) + "#devices")
    disconnect_device(current_app, device_id)
    return result


# ---- topics -----------------------------------------------------------------------------------------

@bp.get("/topics")
def topics():
    with read() as session:
        return render("topics.html", topics=o.all_topics(session))


@bp.post("/topics")
def create_topic():
    data = {"code": request.form.get("code", "").strip(), "names": forms.per_language(request.form, "names")}
    return apply(s.TopicCreate, data, lambda session, actor, body: o.create_topic(
        session, actor, body.code, body.changes()), _("Topic added."), url_for("admin.topics"))


@bp.post("/topics/<code>")
def update_topic(code: str):
    data = {"names": forms.per_language(request.form, "names"), "active": forms.checked(request.form, "active")}
    return apply(s.TopicChange, data, lambda session, actor, body: o.update_topic(
        session, actor, code, body.changes()), _("Saved."), url_for("admin.topics"))


# ---- staff (admins only) ----------------------------------------------------------------------------

@bp.get("/staff")
@admins_only
def staff_list():
    with read() as session:
        staff = session.execute(select(Staff).order_by(Staff.username)).scalars().all()
        branches = session.execute(select(Branch.code).order_by(Branch.code)).scalars().all()
        return render("staff.html", staff=[o.staff_json(x) for x in staff], roles=ROLES, branch_codes=branches)


@bp.post("/staff")
@admins_only
def create_staff():
    password = request.form.get("password", "") or secrets.token_urlsafe(12)
    data = {"username": request.form.get("username", "").strip(), "password": password} | \
        forms.staff_changes(request.form)
    done = _("Account created.") if request.form.get("password") else \
        _("Account created. Its password, shown only now: %(password)s", password=password)
    return apply(s.StaffCreate, data, lambda session, actor, body: o.create_staff(
        session, actor, body.username, body.password, body.changes()), done, url_for("admin.staff_list"))


@bp.get("/staff/<username>")
@admins_only
def staff_member(username: str):
    with read() as session:
        try:
            row = o.staff_json(o.staff(session, username))
        except DomainError:
            abort(404)
        branches = session.execute(select(Branch.code).order_by(Branch.code)).scalars().all()
        return render("staff_member.html", member=row, roles=ROLES, branch_codes=branches)


@bp.post("/staff/<username>")
@admins_only
def update_staff(username: str):
    return apply(s.StaffChange, forms.staff_changes(request.form), lambda session, actor, body: o.update_staff(
        session, actor, username, body.changes()), _("Saved."), url_for("admin.staff_member", username=username))


@bp.post("/staff/<username>/<any(password, 'sign-out', disable, enable):action>")
@admins_only
def staff_action(username: str, action: str):
    back = url_for("admin.staff_member", username=username)
    if action == "password":
        password = secrets.token_urlsafe(12)
        return apply(Empty, {}, lambda session, actor, body: o.reset_password(session, actor, username, password),
                     _("New password, shown only now: %(password)s. Every session of the account has ended.",
                       password=password), back)
    actions = {"sign-out": (o.sign_out_everywhere, _("Signed out everywhere: every session and token has ended.")),
               "disable": (o.disable_staff, _("Account disabled; its sessions have ended.")),
               "enable": (lambda session, actor, name: o.update_staff(session, actor, name, {"active": True}),
                          _("Account enabled."))}
    run, done = actions[action]
    return apply(Empty, {}, lambda session, actor, body: run(session, actor, username), done, back)


# ---- audit trail (admins only) ----------------------------------------------------------------------

@bp.get("/audit")
@admins_only
def audit():
    with read() as session:
        rows = session.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(500)).scalars()
        return render("audit.html", events=[audit_json(r) for r in rows])


# ---- slides -----------------------------------------------------------------------------------------

@bp.get("/slides")
def slides():
    with read() as session:
        rows = session.execute(select(Slide).order_by(Slide.branch_id.is_not(None), Slide.sort_order, Slide.id)
                               ).scalars().all()
        branches = session.execute(select(Branch.code).order_by(Branch.code)).scalars().all()
        return render("slides.html", slides=[o.slide_json(x) for x in rows], branch_codes=branches,
                      weekdays=DAYS)


def _slide_form(form) -> dict:
    data = {"language": form.get("language", ""), "title": form.get("title", "").strip(),
            "body": form.get("body", "").replace("\r\n", "\n").strip(),
            "duration_s": forms.number(form, "duration_s"), "valid_from": form.get("valid_from") or None,
            "valid_until": form.get("valid_until") or None, "weekdays": form.getlist("weekdays"),
            "time_from": form.get("time_from", "").strip(), "time_until": form.get("time_until", "").strip(),
            "sort_order": forms.number(form, "sort_order"), "active": forms.checked(form, "active")}
    return {k: v for k, v in data.items() if v is not None or k in ("valid_from", "valid_until")}


@bp.post("/slides")
def create_slide():
    data = _slide_form(request.form) | {"branch": request.form.get("branch") or None, "active": True}
    result = apply(s.SlideCreate, data, lambda session, actor, body: o.create_slide(
        session, actor, body.branch, body.changes()), _("Slide published."), url_for("admin.slides"))
    publish(data["branch"])
    return result


@bp.url_value_preprocessor
def _room_for_pictures(endpoint: str | None, values: dict | None) -> None:
    # Runs before the CSRF check reads the form: the slide form may carry a picture larger than the
    # usual body limit (OKENKO_MAX_BODY_BYTES).
    if endpoint == "admin.update_slide":
        request.max_content_length = o.MAX_IMAGE_BYTES + 64 * 1024


@bp.get("/slides/<int:slide_id>")
def slide(slide_id: int):
    with read() as session:
        try:
            row = o.slide_json(o.slide(session, slide_id))
        except DomainError:
            abort(404)
        return render("slide.html", slide=row, weekdays=DAYS)


@bp.post("/slides/<int:slide_id>")
def update_slide(slide_id: int):
    back = url_for("admin.slide", slide_id=slide_id)
    upload = request.files.get("image")
    if upload and upload.filename:
        try:
            store_image(slide_id, upload.read(o.MAX_IMAGE_BYTES + 1))
        except DomainError as exc:
            flash(_("Not saved: %(problems)s", problems=exc.message), "error")
            return redirect(back)
    result = apply(s.SlideChange, _slide_form(request.form), lambda session, actor, body: o.update_slide(
        session, actor, slide_id, body.changes()), _("Slide published."), back)
    _publish_slide(slide_id)
    return result


@bp.post("/slides/<int:slide_id>/remove")
def remove_slide(slide_id: int):
    with read() as session:
        branch_code = o.slide_json(o.slide(session, slide_id))["branch"] if session.get(Slide, slide_id) else None
    result = apply(Empty, {}, lambda session, actor, body: o.remove_slide(session, actor, slide_id),
                   _("Slide deleted."), url_for("admin.slides"))
    publish(branch_code)
    return result


@bp.get("/slides/<int:slide_id>/preview")
def preview(slide_id: int):
    """The slide at a display's size (1920 × 1080, scaled to the window)."""
    with read() as session:
        try:
            row = o.slide_json(o.slide(session, slide_id))
        except DomainError:
            abort(404)
    return render("preview.html", slide=row, paragraphs=[p for p in row["body"].split("\n\n") if p.strip()])


def _publish_slide(slide_id: int) -> None:
    with read() as session:
        row = session.get(Slide, slide_id)
        code = row.branch.code if row is not None and row.branch_id else None
    publish(code)
