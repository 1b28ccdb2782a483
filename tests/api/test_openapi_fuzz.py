"""Schemathesis over the whole OpenAPI document: requests generated from every operation's schema, sent
as an anonymous visitor, as a kiosk and as an admin, on SQLite and on PostgreSQL. Any 5xx, or a
response that breaks the schema the document promises for its status, fails the test.

Random path values almost always miss (404), so half of the generated requests name things the demo
really has (its branches, services, counters, tickets, staff…): those reach the views' real work."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, response_schema_conformance
from sqlalchemy import select

from models import Appointment, Counter, Device, Slide, Ticket, Topic

from ..conftest import DEMO_SECRET, freeze, seeded_app

EXAMPLES = 8        # per operation and caller: ~75 operations × 3 callers × 2 databases
CHECKS = [not_a_server_error, response_schema_conformance]
# The admin's own token must live through the run, or the rest of its operations would only see 401.
NOT_AS_STAFF = {"POST /api/v1/auth/logout"}


@pytest.fixture
def app(any_db_url, tmp_path):
    built = seeded_app(tmp_path, any_db_url, booking_rate_limit="100000 per minute")
    freeze(built)
    return built


def demo_values(app) -> dict[str, list]:
    """What the demo has, by the name of the parameter that names it (`code` depends on the path)."""
    from okenko.runtime import runtime
    with runtime(app).reader() as session:
        ids = lambda column: list(session.scalars(select(column).limit(20)))   # noqa: E731
        return {
            "branch": ["praha-iv", "praha-iii"], "service": ["assistance", "residence", "interpreting"],
            "language": ["cs", "vi", "ar"], "date": ["2026-11-23", "2026-11-25"],
            "from": ["2026-11-01"], "to": ["2026-11-30"], "by": ["service,language", "topic"],
            "username": ["counsellor", "interpreter-vi", "receptionist"],
            "counter_id": ids(Counter.id), "ticket_id": ids(Ticket.id), "token": ids(Ticket.token),
            "device_id": ids(Device.id), "slide_id": ids(Slide.id), "request_id": [1, 2], "seq": [1, 2, 3],
            "appointment": ids(Appointment.code), "topic": ids(Topic.code),
        }


def caller_headers(app, caller: str) -> dict:
    if caller == "anonymous":
        return {}
    if caller == "kiosk":
        return {"Authorization": f"Bearer {DEMO_SECRET}"}
    response = app.test_client().post("/api/v1/auth/token", json={"username": "admin", "password": DEMO_SECRET})
    return {"Authorization": f"Bearer {response.json['token']}"}


@pytest.mark.parametrize("caller", ["anonymous", "kiosk", "staff"])
def test_generated_requests_get_no_5xx_and_documented_responses(app, caller):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    headers, real = caller_headers(app, caller), demo_values(app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50, "the document lost its operations"
    failures = []
    for operation in operations:
        if caller == "staff" and operation.label in NOT_AS_STAFF:
            continue
        try:
            _fuzz(operation, headers, real)
        except Exception as failure:   # noqa: BLE001 - collected, so one run names every broken operation
            failures.append(f"{operation.label}: {str(failure)[:800]}")
    assert not failures, "\n\n".join(failures)


def _fuzz(operation, headers: dict, real: dict) -> None:
    @given(case=operation.as_strategy(), use_real=st.booleans(), data=st.data())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case, use_real, data):
        if use_real:
            _name_real_things(case, operation.path, real, data)
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    run()


def _name_real_things(case, path: str, real: dict, data) -> None:
    for name in list(case.path_parameters or {}):
        key = name
        if name == "code":      # a branch's, an appointment's or a topic's
            key = ("appointment" if path.startswith("/api/v1/appointments") else
                   "topic" if path.startswith("/api/v1/topics") else "branch")
        if real.get(key):
            case.path_parameters[name] = data.draw(st.sampled_from(real[key]))
    for name in list(case.query or {}):
        if real.get(name):
            case.query[name] = data.draw(st.sampled_from(real[name]))
