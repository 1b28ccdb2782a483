"""The administration JSON API (in the OpenAPI document). Coordinators and admins manage the
office; only admins manage staff. Deleting something with history retires it."""
from __future__ import annotations

import secrets

from flask import Blueprint, current_app, jsonify
from sqlalchemy import select

from models import AuditEvent, Device, Staff, utcnow
from models import office as o
from okenko.api.openapi import document
from okenko.api.schemas import parse_body
from okenko.auth import require_staff
from okenko.devices import disconnect_device

from okenko.api import settings_schemas as s
from .work import ADMIN_ROLES, STAFF_ADMIN_ROLES, change, read

bp = Blueprint("admin_api", __name__, url_prefix="/api/v1")
TAG = "administration"
manage = require_staff(ADMIN_ROLES)
manage_staff = require_staff(STAFF_ADMIN_ROLES)


def missing_translations(service, branch) -> list[str]:
    languages = service.languages or branch.languages
    return [lang for lang in languages if not service.names.get(lang) or not service.descriptions.get(lang)]


def service_out(service) -> dict:
    return o.service_json(service) | {"missing_translations": missing_translations(service, service.branch)}


def created(body: dict):
    return jsonify(body), 201


# ---- branches -------------------------------------------------------------------------------------

@bp.post("/branches")
@manage
@document("Create a branch", tag=TAG, auth="staff", body=s.BranchCreate,
          responses={201: ("The branch", s.BranchSettings)})
def create_branch():
    body = parse_body(s.BranchCreate)
    with change() as (session, actor):
        return created(o.branch_json(o.create_branch(session, actor, body.code, body.changes())))


@bp.get("/branches/<code>")
@manage
@document("A branch's settings", tag=TAG, auth="staff", responses={200: ("The branch", s.BranchSettings)})
def get_branch(code: str):
    with read() as session:
        return jsonify(o.branch_json(o.branch(session, code)))


@bp.patch("/branches/<code>")
@manage
@document("Change a branch's settings", tag=TAG, auth="staff", body=s.BranchChange,
          responses={200: ("The branch", s.BranchSettings)})
def update_branch(code: str):
    body = parse_body(s.BranchChange)
    with change() as (session, actor):
        return jsonify(o.branch_json(o.update_branch(session, actor, code, body.changes())))


# ---- services -------------------------------------------------------------------------------------

@bp.get("/branches/<code>/services")
@manage
@document("A branch's services, retired ones too", tag=TAG, auth="staff",
          responses={200: ("The services", s.ServiceSettingsList)})
def list_services(code: str):
    with read() as session:
        return jsonify([service_out(x) for x in o.branch(session, code).services])


@bp.post("/branches/<code>/services")
@manage
@document("Add a service to a branch", tag=TAG, auth="staff", body=s.ServiceCreate,
          responses={201: ("The service", s.ServiceSettings)})
def create_service(code: str):
    body = parse_body(s.ServiceCreate)
    with change() as (session, actor):
        return created(service_out(o.create_service(session, actor, code, body.code, body.changes())))


@bp.get("/branches/<code>/services/<service>")
@manage
@document("A service", tag=TAG, auth="staff", responses={200: ("The service", s.ServiceSettings)})
def get_service(code: str, service: str):
    with read() as session:
        return jsonify(service_out(o.service(session, code, service)))


@bp.patch("/branches/<code>/services/<service>")
@manage
@document("Change a service", tag=TAG, auth="staff", body=s.ServiceChange,
          responses={200: ("The service", s.ServiceSettings)})
def update_service(code: str, service: str):
    body = parse_body(s.ServiceChange)
    with change() as (session, actor):
        return jsonify(service_out(o.update_service(session, actor, code, service, body.changes())))


@bp.delete("/branches/<code>/services/<service>")
@manage
@document("Remove a service (retired when it has tickets or appointments)", tag=TAG, auth="staff",
          responses={200: ("What happened", s.Removed)})
def remove_service(code: str, service: str):
    with change() as (session, actor):
        return jsonify({"outcome": o.remove_service(session, actor, code, service)})


# ---- counters -------------------------------------------------------------------------------------

@bp.get("/branches/<code>/counters")
@manage
@document("A branch's counters", tag=TAG, auth="staff", responses={200: ("The counters", s.CounterSettingsList)})
def list_counters(code: str):
    with read() as session:
        return jsonify([o.counter_json(c) for c in o.branch(session, code).counters])


@bp.post("/branches/<code>/counters")
@manage
@document("Add a counter", tag=TAG, auth="staff", body=s.CounterCreate,
          responses={201: ("The counter", s.CounterSettings)})
def create_counter(code: str):
    body = parse_body(s.CounterCreate)
    with change() as (session, actor):
        return created(o.counter_json(o.create_counter(session, actor, code, body.changes())))


@bp.get("/branches/<code>/counters/<int:counter_id>")
@manage
@document("A counter", tag=TAG, auth="staff", responses={200: ("The counter", s.CounterSettings)})
def get_counter(code: str, counter_id: int):
    with read() as session:
        return jsonify(o.counter_json(o.counter(session, code, counter_id)))


@bp.patch("/branches/<code>/counters/<int:counter_id>")
@manage
@document("Change a counter", tag=TAG, auth="staff", body=s.CounterChange,
          responses={200: ("The counter", s.CounterSettings)})
def update_counter(code: str, counter_id: int):
    body = parse_body(s.CounterChange)
    with change() as (session, actor):
        return jsonify(o.counter_json(o.update_counter(session, actor, code, counter_id, body.changes())))


@bp.delete("/branches/<code>/counters/<int:counter_id>")
@manage
@document("Remove a counter (retired when it has history)", tag=TAG, auth="staff",
          responses={200: ("What happened", s.Removed)})
def remove_counter(code: str, counter_id: int):
    with change() as (session, actor):
        return jsonify({"outcome": o.remove_counter(session, actor, code, counter_id)})


# ---- devices --------------------------------------------------------------------------------------

@bp.get("/branches/<code>/devices")
@manage
@document("A branch's kiosks and displays, with last-seen time and printer state", tag=TAG, auth="staff",
          responses={200: ("The devices", s.DeviceList)})
def list_devices(code: str):
    with read() as session:
        branch = o.branch(session, code)
        devices = session.execute(select(Device).where(Device.branch_id == branch.id).order_by(Device.id)).scalars()
        return jsonify([o.device_json(d) for d in devices])


@bp.post("/branches/<code>/devices")
@manage
@document("Create a device for a headless setup; its token is returned once", tag=TAG, auth="staff",
          body=s.DeviceCreate, responses={201: ("The device and its token", s.DeviceOut)})
def create_device(code: str):
    body = parse_body(s.DeviceCreate)
    with change() as (session, actor):
        device, token = o.create_device(session, actor, code, body.kind, body.name)
        return created(o.device_json(device) | {"token": token})


@bp.post("/branches/<code>/devices/pair")
@manage
@document("Register the screen that shows this pairing code", tag=TAG, auth="staff", body=s.DevicePair,
          responses={201: ("The device", s.DeviceOut)})
def pair_device(code: str):
    body = parse_body(s.DevicePair)
    with change() as (session, actor):
        return created(o.device_json(o.pair_device(session, actor, body.code, code, body.kind, body.name, utcnow())))


@bp.patch("/branches/<code>/devices/<int:device_id>")
@manage
@document("Rename a device, move it to another branch, set its printer", tag=TAG, auth="staff",
          body=s.DeviceChange, responses={200: ("The device", s.DeviceOut)})
def update_device(code: str, device_id: int):
    body = parse_body(s.DeviceChange)
    with change() as (session, actor):
        return jsonify(o.device_json(o.update_device(session, actor, code, device_id, body.changes())))


@bp.delete("/branches/<code>/devices/<int:device_id>")
@manage
@document("Revoke a device: it stops working at its next request", tag=TAG, auth="staff",
          responses={200: ("What happened", s.Removed)})
def revoke_device(code: str, device_id: int):
    with change() as (session, actor):
        o.revoke_device(session, actor, code, device_id)
    disconnect_device(current_app, device_id)
    return jsonify({"outcome": "revoked"})


# ---- staff (admins only) --------------------------------------------------------------------------

@bp.get("/staff")
@manage_staff
@document("Staff accounts", tag=TAG, auth="staff", responses={200: ("The accounts", s.StaffList)})
def list_staff():
    with read() as session:
        return jsonify([o.staff_json(x) for x in session.execute(select(Staff).order_by(Staff.username)).scalars()])


@bp.post("/staff")
@manage_staff
@document("Create a staff account", tag=TAG, auth="staff", body=s.StaffCreate,
          responses={201: ("The account (with a generated password, once)", s.StaffOut)})
def create_staff():
    body = parse_body(s.StaffCreate)
    password = body.password or secrets.token_urlsafe(12)
    with change() as (session, actor):
        row = o.create_staff(session, actor, body.username, password, body.changes())
        return created(o.staff_json(row) | ({"password": password} if body.password is None else {}))


@bp.get("/staff/<username>")
@manage_staff
@document("A staff account", tag=TAG, auth="staff", responses={200: ("The account", s.StaffOut)})
def get_staff(username: str):
    with read() as session:
        return jsonify(o.staff_json(o.staff(session, username)))


@bp.patch("/staff/<username>")
@manage_staff
@document("Change role, languages, branches, or (de)activate; deactivation ends every session",
          tag=TAG, auth="staff", body=s.StaffChange, responses={200: ("The account", s.StaffOut)})
def update_staff(username: str):
    body = parse_body(s.StaffChange)
    with change() as (session, actor):
        return jsonify(o.staff_json(o.update_staff(session, actor, username, body.changes())))


@bp.post("/staff/<username>/password")
@manage_staff
@document("Reset the password; every session and token of the account ends", tag=TAG, auth="staff",
          body=s.PasswordReset, responses={200: ("The account (with a generated password, once)", s.StaffOut)})
def reset_password(username: str):
    body = parse_body(s.PasswordReset)
    password = body.password or secrets.token_urlsafe(12)
    with change() as (session, actor):
        row = o.reset_password(session, actor, username, password)
        return jsonify(o.staff_json(row) | ({"password": password} if body.password is None else {}))


@bp.post("/staff/<username>/sign-out")
@manage_staff
@document("Sign the account out everywhere: every session and token ends; it may sign in again",
          tag=TAG, auth="staff", responses={200: ("The account", s.StaffOut)})
def sign_out_staff(username: str):
    with change() as (session, actor):
        return jsonify(o.staff_json(o.sign_out_everywhere(session, actor, username)))


@bp.post("/staff/<username>/disable")
@manage_staff
@document("Disable the account; its sessions and tokens end at once", tag=TAG, auth="staff",
          responses={200: ("The account", s.StaffOut)})
def disable_staff(username: str):
    with change() as (session, actor):
        return jsonify(o.staff_json(o.disable_staff(session, actor, username)))



# ---- topics ---------------------------------------------------------------------------------------

@bp.get("/topics")
@manage
@document("Intervention topics, retired ones too", tag=TAG, auth="staff", responses={200: ("The topics", s.TopicList)})
def list_topics():
    with read() as session:
        return jsonify([o.topic_json(t) for t in o.all_topics(session)])


@bp.post("/topics")
@manage
@document("Add an intervention topic", tag=TAG, auth="staff", body=s.TopicCreate,
          responses={201: ("The topic", s.TopicOut)})
def create_topic():
    body = parse_body(s.TopicCreate)
    with change() as (session, actor):
        return created(o.topic_json(o.create_topic(session, actor, body.code, body.changes())))


@bp.patch("/topics/<code>")
@manage
@document("Change a topic's names, order, or bring it back", tag=TAG, auth="staff", body=s.TopicChange,
          responses={200: ("The topic", s.TopicOut)})
def update_topic(code: str):
    body = parse_body(s.TopicChange)
    with change() as (session, actor):
        return jsonify(o.topic_json(o.update_topic(session, actor, code, body.changes())))


@bp.delete("/topics/<code>")
@manage
@document("Retire a topic (past records keep it)", tag=TAG, auth="staff", responses={200: ("What happened", s.Removed)})
def retire_topic(code: str):
    with change() as (session, actor):
        o.retire_topic(session, actor, code)
        return jsonify({"outcome": "retired"})


# ---- audit ----------------------------------------------------------------------------------------

@bp.get("/audit")
@manage_staff
@document("The latest 500 administrative changes, newest first", tag=TAG, auth="staff",
          responses={200: ("The changes", s.AuditList)})
def audit_trail():
    with read() as session:
        rows = session.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(500)).scalars()
        return jsonify([audit_json(r) for r in rows])


def audit_json(row: AuditEvent) -> dict:
    return {"at": row.at.isoformat(), "actor": row.actor, "action": row.action, "target": row.target,
            "changes": row.changes}

