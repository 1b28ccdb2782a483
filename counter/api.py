"""Counter and ticket actions for staff."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import select

from models import Branch, Role, TicketAction
from models.fields import ECHOED, fit
from okenko.api.errors import ApiError
from okenko.api.openapi import document
from okenko.api.schemas import (Cancel, CounterStateOut, Empty, Finish, OpenCounter, TicketOut, Transfer,
                                parse_body)
from okenko.api.serialize import ticket_json
from okenko.auth import (COUNTER_ROLES, FRONT_DESK_ROLES, RECEPTION_ROLES, branch_in_query, branch_named,
                         branch_of_counter, branch_of_interpreter_request, branch_of_ticket, current_caller,
                         may, require_staff)
from okenko.runtime import interpreters, queue, runtime

bp = Blueprint("counter_api", __name__, url_prefix="/api/v1")

TICKET_ACTIONS = tuple(a.value for a in TicketAction if a != TicketAction.CALL)


def _staff_id() -> int:
    return current_caller().staff.id


@bp.get("/counters/<int:counter_id>")
@document("A counter's state, its current ticket (with its history) and its queues", tag="counters",
          auth="staff", responses={200: ("The console's view", None)})
@require_staff(COUNTER_ROLES, branch=branch_of_counter)
def counter_overview(counter_id: int):
    return jsonify(queue().counter_overview(counter_id))


@bp.post("/counters/<int:counter_id>/call-next")
@document("Call the next ticket to this counter", tag="counters", auth="staff",
          responses={200: ("The called ticket", TicketOut), 204: ("Nobody is waiting", None)})
@require_staff(COUNTER_ROLES, branch=branch_of_counter)
def call_next(counter_id: int):
    parse_body(Empty)
    view = queue().call_next(counter_id, staff_id=_staff_id())
    if view is None:
        return "", 204
    return jsonify(ticket_json(view))


@bp.post("/counters/<int:counter_id>/<any(open, pause, resume, close):action>")
@document("Open (take), pause, resume or close a counter", tag="counters", auth="staff",
          body=OpenCounter, responses={200: ("The counter's new state", CounterStateOut)})
@require_staff(COUNTER_ROLES, branch=branch_of_counter)
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
@require_staff(COUNTER_ROLES, branch=branch_of_ticket)
def ticket_step(ticket_id: int, action: str):
    parse_body(Empty)
    engine = queue()
    step = {"recall": engine.recall, "start": engine.start, "no-show": engine.no_show}[action]
    return jsonify(ticket_json(step(ticket_id, staff_id=_staff_id())))


@bp.post("/tickets/<int:ticket_id>/finish")
@document("Finish serving a ticket, optionally with anonymous intervention topics", tag="tickets",
          auth="staff", body=Finish, responses={200: ("The finished ticket", TicketOut)})
@require_staff(COUNTER_ROLES, branch=branch_of_ticket)
def finish(ticket_id: int):
    topics = parse_body(Finish).topics
    return jsonify(ticket_json(queue().finish(ticket_id, staff_id=_staff_id(), topics=topics)))


@bp.post("/tickets/<int:ticket_id>/transfer")
@document("Transfer a ticket to another service (optionally one counter), keeping its place in time",
          tag="tickets", auth="staff", body=Transfer, responses={200: ("The ticket, waiting again", TicketOut)})
@require_staff(COUNTER_ROLES, branch=branch_of_ticket)
def transfer(ticket_id: int):
    body = parse_body(Transfer)
    view = queue().transfer(ticket_id, body.service, counter_id=body.counter, staff_id=_staff_id())
    return jsonify(ticket_json(view))


@bp.post("/tickets/<int:ticket_id>/cancel")
@document("Cancel a waiting or called ticket: reception roles any of their branch, others one at the counter "
          "they hold", tag="tickets", auth="staff", body=Cancel,
          responses={200: ("The cancelled ticket", TicketOut)})
@require_staff(FRONT_DESK_ROLES, branch=branch_of_ticket)
def cancel(ticket_id: int):
    reason = parse_body(Cancel).reason
    reception = may(current_caller().staff, RECEPTION_ROLES)
    return jsonify(ticket_json(queue().cancel(ticket_id, staff_id=_staff_id(), reason=reason,
                                              at_any_counter=reception)))


@bp.post("/tickets/<int:ticket_id>/<action>")
def unknown_action(ticket_id: int, action: str):
    raise ApiError(404, "unknown_action", f"unknown action '{fit(action, ECHOED)}'; use one of "
                   + ", ".join(TICKET_ACTIONS), allowed=list(TICKET_ACTIONS))


@bp.get("/branches/<code>/tickets")
@document("Today's tickets of a branch that are still open (waiting, called, serving)", tag="tickets",
          auth="staff", responses={200: ("The tickets, oldest first", None)})
@require_staff(FRONT_DESK_ROLES, branch=branch_named)
def open_tickets(code: str):
    return jsonify(queue().open_tickets(fit(code, Branch.code)))


# ---- the interpreter desk ---------------------------------------------------------------------------

@bp.post("/tickets/<int:ticket_id>/interpreter")
@document("Ask for an interpreter of the client's language to come to this counter (its holder only)",
          tag="interpreters", auth="staff", responses={201: ("The request", None)})
@require_staff(COUNTER_ROLES, branch=branch_of_ticket)
def request_interpreter(ticket_id: int):
    parse_body(Empty)
    return jsonify(interpreters().request(ticket_id, staff_id=_staff_id()).json()), 201


@bp.get("/interpreter-requests")
@document("Open and accepted interpreter requests of a branch (?branch=CODE); interpreters see those in "
          "their languages", tag="interpreters", auth="staff", responses={200: ("The requests, oldest first", None)})
@require_staff(COUNTER_ROLES, branch=branch_in_query)
def interpreter_requests():
    branch_code, me = branch_in_query(), current_caller().staff
    with runtime().reader() as session:
        branch_id = session.execute(select(Branch.id).where(Branch.code == branch_code)).scalar_one_or_none()
    if branch_id is None:
        raise ApiError(404, "not_found", f"unknown branch '{branch_code}'")
    languages = list(me.languages) if me.role == Role.INTERPRETER else None
    return jsonify([r.json() for r in interpreters().open_requests(branch_id, languages)])


@bp.post("/interpreter-requests/<int:request_id>/<any(accept, finish):action>")
@document("Accept an interpreter request in a language you speak (go to that counter), or finish one you "
          "accepted", tag="interpreters", auth="staff", responses={200: ("The request", None)})
@require_staff(COUNTER_ROLES, branch=branch_of_interpreter_request)
def interpreter_action(request_id: int, action: str):
    parse_body(Empty)
    desk = interpreters()
    change = desk.accept if action == "accept" else desk.finish
    return jsonify(change(request_id, staff_id=_staff_id()).json())
