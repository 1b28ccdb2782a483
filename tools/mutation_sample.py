"""A hand-made mutation sample: apply each mutant, run the tests that should notice, restore.

    .venv/bin/python tools/mutation_sample.py [NAME…]

A mutant is "killed" when its tests fail. Nothing mutated is ever left behind: the file's original
text is written back whatever happens.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
M = "models/"

# name, file, original text, mutated text, tests to run
MUTANTS = [
    ("numbering: width of the number", M + "numbering.py", '{number:03d}', '{number:02d}',
     ["tests/models/test_engine.py"]),
    ("numbering: no increment on conflict", M + "numbering.py",
     'set_={"last_number": table.c.last_number + 1}', 'set_={"last_number": table.c.last_number}',
     ["tests/models/test_engine.py"]),
    ("states: no-show from serving", M + "states.py",
     "TicketAction.NO_SHOW: (frozenset({C}),", "TicketAction.NO_SHOW: (frozenset({C, S}),",
     ["tests/models/test_states.py"]),
    ("states: cancel from serving", M + "states.py",
     "TicketAction.CANCEL: (frozenset({W, C}),", "TicketAction.CANCEL: (frozenset({W, C, S}),",
     ["tests/models/test_states.py"]),
    ("states: pause a paused counter", M + "states.py",
     "CounterAction.PAUSE: (frozenset({O}), P)", "CounterAction.PAUSE: (frozenset({O, P}), P)",
     ["tests/models/test_states.py"]),
    ("policy: appointment lead 6 min", M + "policy.py", "timedelta(minutes=5)", "timedelta(minutes=6)",
     ["tests/models/test_policy.py"]),
    ("policy: low priority first", M + "policy.py", "-ticket.priority, ticket.effective_at",
     "ticket.priority, ticket.effective_at", ["tests/models/test_policy.py"]),
    ("policy: transfers to a counter go anywhere", M + "policy.py",
     "ticket.target_counter_id in (None, counter.id)", "True", ["tests/models/test_policy.py"]),
    ("slots: a slot may run past closing", M + "slots.py", "while moment + step <= end:",
     "while moment < end:", ["tests/models/test_slots.py"]),
    ("slots: closed days ignored", M + "slots.py", "if minutes <= 0 or is_closed_day(closed_days, day):",
     "if minutes <= 0:", ["tests/models/test_slots.py"]),
    ("check-in: another day allowed", M + "appointments.py", "if day > today:", "if day > today + timedelta(days=1):",
     ["tests/models/test_appointments.py"]),
    ("check-in: window opens a minute later", M + "appointments.py", "if now < opens:",
     "if now <= opens:", ["tests/models/test_appointments.py"]),
    ("auth: receptionists may work counters", "okenko/auth.py",
     "COUNTER_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR, Role.INTERPRETER)",
     "COUNTER_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR, Role.INTERPRETER, Role.RECEPTIONIST)",
     ["tests/api/test_tickets_api.py"]),
    ("auth: unknown user with the dummy password", M + "security.py",
     "return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None",
     "return _hasher.verify(password_hash or _DUMMY_HASH, password)",
     ["tests/api/test_auth_health_openapi.py", "tests/counter/test_staff_pages.py", "tests/models/test_security.py"]),
    ("rendering: no Czech service name under a foreign one", "printers/render.py",
     "if ticket.service_name_cs != ticket.service_name:", "if False:",
     ["tests/printers/test_render.py", "tests/kiosk/test_kiosk_printing.py"]),
    ("rendering: no QR on the ticket", "printers/render.py",
     'blocks.append(Block("qr", ticket.status_url))', "pass",
     ["tests/printers/test_render.py", "tests/kiosk/test_kiosk_printing.py"]),
    ("realtime: refresh claims an event", "okenko/realtime.py",
     "first = pending.last + 1 if pending.first is None else pending.first",
     "first = pending.last if pending.first is None else pending.first",
     ["tests/display/test_realtime.py"]),
    ("realtime: displays see the ticket token", "okenko/realtime.py",
     'if key not in ("token", "id")', 'if key not in ("id",)', ["tests/display/test_realtime.py"]),
    ("headers: framing allowed", "okenko/headers.py", '"X-Frame-Options": "DENY"',
     '"X-Frame-Options": "SAMEORIGIN"', ["tests/api/test_security_headers.py"]),
    ("fields: no cut", M + "fields.py", "return text[: limit if isinstance(limit, int) else limit.type.length]",
     "return text", ["tests/models/test_fields.py"]),
]


def run(name: str, path: str, original: str, mutated: str, tests: list[str]) -> bool:
    """True when the mutant is killed."""
    file = ROOT / path
    text = file.read_text(encoding="utf-8")
    if text.count(original) != 1:
        raise SystemExit(f"{name}: the original text is not in {path} exactly once")
    try:
        file.write_text(text.replace(original, mutated), encoding="utf-8")
        result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                                 "-m", "not postgres", *tests], cwd=ROOT, capture_output=True, text=True)
    finally:
        file.write_text(text, encoding="utf-8")
    return result.returncode != 0


def main(selected: list[str]) -> int:
    killed = 0
    chosen = [m for m in MUTANTS if not selected or any(s in m[0] for s in selected)]
    for mutant in chosen:
        verdict = run(*mutant)
        killed += verdict
        print(f"{'killed  ' if verdict else 'SURVIVED'}  {mutant[0]}", flush=True)
    print(f"{killed} of {len(chosen)} killed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
