"""Staff tokens, health checks and the OpenAPI contract."""
from __future__ import annotations

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from sqlalchemy import select, update

from models import Staff
from okenko.runtime import runtime

from ..conftest import DEMO_SECRET, make_app
from .helpers import KIOSK, counter_id, issue, staff_headers


def token(client, username="counsellor", password=DEMO_SECRET):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def test_token_for_good_credentials_only(client):
    good = token(client)
    assert good.status_code == 200
    assert good.json["token_type"] == "Bearer" and good.json["staff"]["role"] == "counsellor"
    assert token(client, password="wrong").status_code == 401
    unknown = token(client, username="nobody")
    assert unknown.status_code == 401 and unknown.json["message"] == "unknown username or wrong password"


def test_stored_passwords_are_argon2_hashes(app):
    with runtime(app).reader() as session:
        hashes = session.execute(select(Staff.password_hash)).scalars().all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)


def test_deactivated_staff_cannot_sign_in(app, client):
    with runtime(app).writer() as session, session.begin():
        session.execute(update(Staff).where(Staff.username == "lawyer").values(active=False))
    assert token(client, username="lawyer").status_code == 401


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"


def test_one_health_answer_serves_a_second_of_probes(app, client, monkeypatch):
    """Probes within a second share one database query; after it, or once this process learnt a
    printer state, the next probe asks the database again."""
    from sqlalchemy import event

    import okenko.health
    now = [1000.0]
    monkeypatch.setattr(okenko.health.time, "monotonic", lambda: now[0])
    queries = []
    event.listen(runtime(app).engine, "before_cursor_execute", lambda *args: queries.append(args[2]) if args[2].startswith("SELECT") else None)
    assert [client.get("/healthz").status_code for _ in range(5)] == [200] * 5
    assert len(queries) == 1
    now[0] += 0.99
    client.get("/healthz")
    assert len(queries) == 1
    now[0] += 0.02
    client.get("/healthz")
    assert len(queries) == 2
    runtime(app).printing.remember_states({})
    queries.clear()
    client.get("/healthz")
    assert len(queries) == 1


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = make_app(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=1")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error" and response.json["checks"]["database"].startswith("error")


def test_openapi_document_is_valid_and_lists_the_api(client):
    spec = client.get("/api/openapi.json").json
    validate(spec)
    paths = spec["paths"]
    for path, method in [("/healthz", "get"), ("/api/v1/branches", "get"), ("/api/v1/tickets", "post"),
                         ("/api/v1/tickets/{token}", "get"), ("/api/v1/counters/{counter_id}/call-next", "post"),
                         ("/api/v1/tickets/{ticket_id}/{action}", "post"), ("/api/v1/tickets/{ticket_id}/transfer", "post"),
                         ("/api/v1/branches/{code}/snapshot", "get"), ("/api/v1/auth/token", "post")]:
        assert method in paths[path], path
    assert paths["/api/v1/tickets"]["post"]["responses"]["422"]["content"]


def _validator(spec, name):
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": spec["components"]})


def test_responses_match_their_documented_schemas(app, client):
    spec = client.get("/api/openapi.json").json
    staff = staff_headers(client, "counsellor")
    desk1 = counter_id(app, "praha-iv", "Přepážka 1")
    issued = issue(client).json
    checks = [
        ("IssuedTicketOut", issued),
        ("TicketStatusOut", client.get(f"/api/v1/tickets/{issued['token']}").json),
        ("BranchList", client.get("/api/v1/branches").json),
        ("CounterStateOut", client.post(f"/api/v1/counters/{desk1}/open", headers=staff).json),
        ("TicketOut", client.post(f"/api/v1/counters/{desk1}/call-next", headers=staff).json),
        ("Snapshot", client.get("/api/v1/branches/praha-iv/snapshot").json),
        ("Health", client.get("/healthz").json),
        ("TokenOut", token(client, "lawyer").json),
        ("Error", client.post("/api/v1/tickets", json={}, headers=KIOSK).json),
    ]
    for name, body in checks:
        errors = [e.message for e in _validator(spec, name).iter_errors(body)]
        assert errors == [], (name, errors)
