"""Build small worlds for tests, so each test states only what matters to it."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from models import Branch, Counter, Service, Staff, Topic
from models.security import hash_password


@cache
def password_hash(password: str = "pw") -> str:
    return hash_password(password)  # argon2 is slow on purpose: hash once per test run


TOPICS = ("residence_status", "housing", "work", "education", "social_security", "health_care", "family",
          "citizenship", "other")


@dataclass
class World:
    branch: str
    # counter name -> id
    counters: dict[str, int]
    staff: dict[str, int]


def build_world(writer, code: str = "b1", timezone: str = "Europe/Prague") -> World:
    """One branch; services A (assistance), R (residence), I (interpreting, language-matched);
    counters: desk-a [A], desk-ar [A, R], interp [I], desk-r [R]."""
    with writer() as session, session.begin():
        branch = Branch(code=code, names={"cs": "Pobočka", "en": "Branch"}, timezone=timezone,
                        languages=["cs", "en", "ru", "vi", "mn", "ar"], event_seq=0)
        session.add(branch)
        if code == "b1":  # the migration seeds these; tests build their schema without it
            session.add_all(Topic(code=c, names={"en": c}, sort_order=i) for i, c in enumerate(TOPICS))
        session.flush()
        services = {
            "assistance": Service(branch_id=branch.id, code="assistance", prefix="A", names={"en": "Assistance"},
                                  expected_minutes=10, sort_order=0),
            "residence": Service(branch_id=branch.id, code="residence", prefix="R", names={"en": "Residence"},
                                 expected_minutes=20, sort_order=1),
            "interpreting": Service(branch_id=branch.id, code="interpreting", prefix="I",
                                    names={"en": "Interpreting"}, expected_minutes=15,
                                    needs_language_match=True, sort_order=2),
        }
        session.add_all(services.values())
        session.flush()
        layout = {"desk-a": ["assistance"], "desk-ar": ["assistance", "residence"],
                  "interp": ["interpreting"], "desk-r": ["residence"]}
        counters = {}
        for number, (name, codes) in enumerate(layout.items(), start=1):
            counter = Counter(branch_id=branch.id, name=name, number=number, services=[services[c] for c in codes])
            session.add(counter)
            session.flush()
            counters[name] = counter.id
        staff = {}
        for username, role in (("anna", "counsellor"), ("ivan", "interpreter")):
            member = Staff(username=f"{username}@{code}" if code != "b1" else username, role=role, password_hash=password_hash())
            session.add(member)
            session.flush()
            staff[username] = member.id
    return World(code, counters, staff)
