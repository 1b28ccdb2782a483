"""Counter and ticket actions for staff."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from models import Branch, Counter, Role, Staff, Ticket, TicketAction, interpreting
from okenko.api.errors import ApiError
from okenko.api.openapi import document
from okenko.api.schemas import (Cancel, CounterStateOut, Empty, Finish, OpenCounter, TicketOut, Transfer,
                                parse_body)
from okenko.api.serialize import ticket_json
from okenko.auth import COUNTER_ROLES, FRONT_DESK_ROLES, current_caller, require_staff
from okenko.runtime import queue

bp = Blueprint("counter_api", __name__, url_prefix="/api/v1")

TICKET_ACTIONS = tuple(a.value for a in TicketAction if a != TicketAction.CALL)


def _staff_id() -> int:
    return current_caller().staff.id


@bp.get("/counters/<int:counter_id>")
@document("A counter's state, its current ticket (with its history) and its queues", tag="counters",
          auth="staff", responses={200: ("The console's view", None)})
@require_staff(COUNTER_ROLES)
def counter_overview(counter_id: int):
    return jsonify(queue().counter_overview(counter_id))


@bp.post("/counters/<int:counter_id>/call-next")
@document("Call the next ticket to this counter", tag="counters", auth="staff",
          responses={200: ("The called ticket", TicketOut), 204: ("Nobody is waiting", None)})
@require_staff(COUNTER_ROLES)
def call_next(counter_id: int):
    parse_body(Empty)
    view = queue().call_next(counter_id, staff_id=_staff_id())
    if view is None:
        return "", 204
    return jsonify(ticket_json(view))


@bp.post("/counters/<int:counter_id>/<any(open, pause, resume, close):action>")
@document("Open (take), pause, resume or close a counter", tag="counters", auth="staff",
          body=OpenCounter, responses={200: ("The counter's new state", CounterStateOut)})
@require_staff(COUNTER_ROLES)
def counter_action(counter_id: int, action: str):
    engine = queue()
    if action == "open":
        body = parse_body(OpenCounter)
        return jsonify(engine.open_counter(counter_id, staff_id=_staff_id(), languages=body.languages,
                                           force=body.force))
    parse_body(Empty)
    change = {"pause": engine.pause_counter, "resume": engine.resume_counter, "close": engine.close_counter}
    return jsonify(change[action](counter_id, staff_id=_staff_id()))


@bp.post("/tickets/<int:ticket_id>/<any(recall, start, 'no-show'):action>")
@document("Recall a called ticket, start serving it, or mark it a no-show", tag="tickets", auth="staff",
          responses={200: ("The ticket after the action", TicketOut)})
@require_staff(COUNTER_ROLES)
def ticket_step(ticket_id: int, action: str):
    parse_body(Empty)
    engine = queue()
    step = {"recall": engine.recall, "start": engine.start, "no-show": engine.no_show}[action]
    return jsonify(ticket_json(step(ticket_id, staff_id=_staff_id())))


@bp.post("/tickets/<int:ticket_id>/finish")
@document("Finish serving a ticket, optionally with anonymous intervention topics", tag="tickets",
          auth="staff", body=Finish, responses={200: ("The finished ticket", TicketOut)})
@require_staff(COUNTER_ROLES)
def finish(ticket_id: int):
    topics = parse_body(Finish).topics
    return jsonify(ticket_json(queue().finish(ticket_id, staff_id=_staff_id(), topics=topics)))


@bp.post("/tickets/<int:ticket_id>/transfer")
@document("Transfer a ticket to another service (optionally one counter), keeping its place in time",
          tag="tickets", auth="staff", body=Transfer, responses={200: ("The ticket, waiting again", TicketOut)})
@require_staff(COUNTER_ROLES)
def transfer(ticket_id: int):
    body = parse_body(Transfer)
    view = queue().transfer(ticket_id, body.service, counter_id=body.counter, staff_id=_staff_id())
    return jsonify(ticket_json(view))


@bp.post("/tickets/<int:ticket_id>/cancel")
@document("Cancel a waiting or called ticket", tag="tickets", auth="staff", body=Cancel,
          responses={200: ("The cancelled ticket", TicketOut)})
@require_staff(FRONT_DESK_ROLES)
def cancel(ticket_id: int):
    reason = parse_body(Cancel).reason
    return jsonify(ticket_json(queue().cancel(ticket_id, staff_id=_staff_id(), reason=reason)))


@bp.post("/tickets/<int:ticket_id>/<action>")
def unknown_action(ticket_id: int, action: str):
    raise ApiError(404, "unknown_action", f"unknown action '{action[:40]}'; use one of "
                   + ", ".join(TICKET_ACTIONS), allowed=list(TICKET_ACTIONS))


@bp.get("/branches/<code>/tickets")
@document("Today's tickets of a branch that are still open (waiting, called, serving)", tag="tickets",
          auth="staff", responses={200: ("The tickets, oldest first", None)})
@require_staff(FRONT_DESK_ROLES)
def open_tickets(code: str):
    return jsonify(queue().open_tickets(code[:40]))


# ---- the interpreter desk ---------------------------------------------------------------------------

LATE_AFTER_MINUTES = 5


@bp.post("/tickets/<int:ticket_id>/interpreter")
@document("Ask for an interpreter of the client's language to come to this counter", tag="interpreters",
          auth="staff", responses={201: ("The request", None)})
@require_staff(COUNTER_ROLES)
def request_interpreter(ticket_id: int):
    parse_body(Empty)
    with queue().transaction() as work:
        request = interpreting.request_interpreter(work, ticket_id, staff_id=_staff_id())
        body = _request_json(work.session, request, work.now)
    return jsonify(body), 201


@bp.get("/interpreter-requests")
@document("Open and accepted interpreter requests of a branch, in the caller's languages", tag="interpreters",
          auth="staff", responses={200: ("The requests, oldest first", None)})
@require_staff(COUNTER_ROLES)
def interpreter_requests():
    branch_code = request.args.get("branch", "")[:40]
    with queue().read() as session:
        branch_id = session.execute(select(Branch.id).where(Branch.code == branch_code)).scalar_one_or_none()
        if branch_id is None:
            raise ApiError(404, "not_found", f"unknown branch '{branch_code}'")
        me = session.get(Staff, _staff_id())
        languages = me.languages if me.role == Role.INTERPRETER else []
        now = queue().clock()
        return jsonify([_request_json(session, r, now) for r in interpreting.open_requests(session, branch_id, languages)])


@bp.post("/interpreter-requests/<int:request_id>/<any(accept, finish):action>")
@document("Accept an interpreter request (go to that counter), or finish interpreting", tag="interpreters",
          auth="staff", responses={200: ("The request", None)})
@require_staff(COUNTER_ROLES)
def interpreter_action(request_id: int, action: str):
    parse_body(Empty)
    change = interpreting.accept if action == "accept" else interpreting.finish
    with queue().transaction() as work:
        changed = change(work, request_id, staff_id=_staff_id())
        body = _request_json(work.session, changed, work.now)
    return jsonify(body)


def _request_json(session, item, now) -> dict:
    ticket = session.get(Ticket, item.ticket_id)
    counter = session.get(Counter, item.counter_id) if item.counter_id else None
    interpreter = session.get(Staff, item.interpreter_id) if item.interpreter_id else None
    waited = int(((item.accepted_at or now) - item.created_at).total_seconds() // 60)
    return {
        "id": item.id, "ticket": ticket.label, "ticket_id": ticket.id, "language": item.language,
        "status": item.status, "counter": None if counter is None else {"id": counter.id, "name": counter.name},
        "requested_at": item.created_at.isoformat(), "waited_minutes": waited,
        "late": item.status == "open" and waited >= LATE_AFTER_MINUTES,
        "interpreter": None if interpreter is None else {"id": interpreter.id,
                                                         "name": interpreter.display_name or interpreter.username},
    }
