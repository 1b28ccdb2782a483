"""Small helpers for API tests: tokens, headers, the demo world's ids."""
from __future__ import annotations

from sqlalchemy import select

from models import Counter, Device, DeviceKind
from models.security import token_fingerprint
from okenko.runtime import runtime

from ..conftest import DEMO_SECRET

KIOSK = {"Authorization": f"Bearer {DEMO_SECRET}"}


def staff_headers(client, username: str) -> dict:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": DEMO_SECRET})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def counter_id(app, branch: str, name: str) -> int:
    with runtime(app).reader() as session:
        return session.execute(
            select(Counter.id).join(Counter.branch).where(Counter.name == name, Counter.branch.has(code=branch))
        ).scalar_one()


def add_device(app, branch_code: str, kind: DeviceKind, token: str) -> None:
    from models import Branch
    with runtime(app).writer() as session, session.begin():
        branch = session.execute(select(Branch).where(Branch.code == branch_code)).scalar_one()
        session.add(Device(branch_id=branch.id, kind=kind.value, name=f"{kind.value}-{token[:6]}",
                           token_hash=token_fingerprint(token)))


def issue(client, service="assistance", language="vi", branch="praha-iv", headers=KIOSK, **extra):
    return client.post("/api/v1/tickets", json={"branch": branch, "service": service, "language": language,
                                                 **extra}, headers=headers)
