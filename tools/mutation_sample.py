"""A hand-made mutation sample: apply each mutant, run the tests that should notice, restore.

    .venv/bin/python tools/mutation_sample.py [NAME…]

A mutant is "killed" when its tests fail. Each set of tests first runs on the unmutated code: a set
that already fails proves nothing, and the run stops. Nothing mutated is ever left behind: the
file's original text is written back whatever happens. Exits 1 when a mutant survived.
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
    ("policy: low priority first", M + "policy.py", "0 if due else -ticket.priority,",
     "0 if due else ticket.priority,", ["tests/models/test_policy.py"]),
    ("policy: transfers to a counter go anywhere", M + "policy.py",
     "ticket.target_counter_id in (None, counter.id)", "True", ["tests/models/test_policy.py"]),
    ("slots: a slot may run past closing", M + "slots.py", "while moment + step <= end:",
     "while moment < end:", ["tests/models/test_slots.py"]),
    ("slots: closed days ignored", M + "slots.py", "if minutes <= 0 or is_closed_day(closed_days, day):",
     "if minutes <= 0:", ["tests/models/test_slots.py"]),
    ("hours: closed days open the kiosk", M + "hours.py", "return not is_closed_day(closed_days, local.date()) and any(",
     "return any(", ["tests/models/test_hours.py"]),
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
    ("printing: a second reprint", M + "printing.py", "if not reprint_allowed(work.session, ticket_id):",
     "if False:", ["tests/kiosk/test_kiosk_printing.py"]),
    ("holders: anyone acts at any counter", M + "holders.py",
     "if staff_id is None or counter.staff_id == staff_id:", "if True:", ["tests/api/test_who_may_act.py"]),
    ("board: a probe makes a kiosk alive", M + "board.py", "(device.last_seen_at, last_ticket.get(device.id))",
     "(device.last_seen_at, device.printer_checked_at, last_ticket.get(device.id))", ["tests/stats/test_board.py"]),
    ("board: rebuilt for nobody", "stats/board.py", "if runtime(self._app).settings.message_queue:",
     "if True:", ["tests/stats/test_board.py"]),
    ("issuing: estimate not stored", M + "engine.py", 'values["estimated_wait_minutes"] = wait',
     'values["estimated_wait_minutes"] = None', ["tests/models/test_engine.py"]),
    ("shedding: no limit", "okenko/shedding.py", "if (self.in_flight >= self.limit or",
     "if (False and self.in_flight >= self.limit or", ["tests/api/test_load_shedding.py"]),
    ("shedding: queueing delay ignored", "okenko/shedding.py", "delay = self.lag.seconds", "delay = 0.0",
     ["tests/api/test_load_shedding.py"]),
    ("positions: equal priority counted as higher", M + "estimates.py", "Ticket.priority > _PRIORITY",
     "Ticket.priority >= _PRIORITY", ["tests/models/test_queue_order.py"]),
    ("relay: a status for nobody", "okenko/realtime.py",
     'if not self._may_be_heard(TICKET, ticket_room(event.ticket["token"])):', "if False:",
     ["tests/display/test_realtime.py"]),
    ("tally: a ticket sent to a counter stays a plain walk-in", M + "tally.py",
     "AND {row}.due_at IS NULL AND {row}.target_counter_id IS NULL", "AND {row}.due_at IS NULL",
     ["tests/models/test_queue_tally.py"]),
    ("positions: the walk-ins behind counted as ahead", M + "estimates.py",
     "return HotStatement(select(_sum(parts) - _count(*group, _PLAIN, Ticket.priority == _PRIORITY, later)))",
     "return HotStatement(select(_sum(parts)))", ["tests/models/test_queue_order.py", "tests/models/test_queue_tally.py"]),
    ("positions: equal priority walk-ins counted as higher", M + "estimates.py",
     "QueueTally.priority > _PRIORITY", "QueueTally.priority >= _PRIORITY", ["tests/models/test_queue_order.py"]),
    ("booking cache: kept after its first slot began", "kiosk/booking_cache.py",
     "return answer.valid_until is None or now < answer.valid_until", "return True",
     ["tests/kiosk/test_booking_cache.py"]),
    ("visitors' forms: a sibling subdomain's form taken", "okenko/public_forms.py",
     '_OWN_FETCH_SITES = frozenset({"same-origin", "none"})', '_OWN_FETCH_SITES = frozenset({"same-origin", "none", '
     '"same-site"})', ["tests/kiosk/test_booking_pages.py"]),
    ("visitors' forms: any Origin taken", "okenko/public_forms.py",
     "return _origin(origin) in _own_origins()", "return True", ["tests/kiosk/test_booking_pages.py"]),
    ("booking cache: a HEAD with a body kept", "kiosk/booking_cache.py",
     'if request.method != "GET" or view_args != request.view_args or request.content_length:',
     'if request.method not in ("GET", "HEAD") or view_args != request.view_args:',
     ["tests/kiosk/test_booking_cache.py"]),
    ("limits: the extension's hooks on every request", "okenko/limits.py",
     'if not inject or not release or "" in limited:', "if True:", ["tests/api/test_rate_limits.py"]),
    ("phone page: the office kept for ever", "kiosk/texts.py",
     "if entry is None or monotonic() - entry[0] >= OFFICE_KEPT_S:", "if entry is None:",
     ["tests/kiosk/test_phone_page.py"]),
    ("phone page: the office read every time", "kiosk/texts.py",
     "if entry is None or monotonic() - entry[0] >= OFFICE_KEPT_S:", "if True:",
     ["tests/kiosk/test_phone_page.py"]),
    ("hot statements: parameters unconverted", M + "driver.py", "values[name] = process(values[name])",
     "values[name] = values[name]", ["tests/models/test_engine.py"]),
    ("hot statements: columns unconverted", M + "driver.py",
     "value if process is None else process(value)", "value", ["tests/models/test_engine.py"]),
    ("fields: no cut", M + "fields.py", "    return text[:known[1]]", "    return text", ["tests/models/test_fields.py"]),
]


def tests_pass(tests: list[str]) -> bool:
    result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                             "-m", "not postgres", *tests], cwd=ROOT, capture_output=True, text=True)
    return result.returncode == 0


def killed(name: str, path: str, original: str, mutated: str, tests: list[str]) -> bool:
    file = ROOT / path
    text = file.read_text(encoding="utf-8")
    try:
        file.write_text(text.replace(original, mutated), encoding="utf-8")
        return not tests_pass(tests)
    finally:
        file.write_text(text, encoding="utf-8")


def main(selected: list[str]) -> int:
    chosen = [m for m in MUTANTS if not selected or any(s in m[0] for s in selected)]
    for name, path, original, _mutated, _tests in chosen:
        if (ROOT / path).read_text(encoding="utf-8").count(original) != 1:
            raise SystemExit(f"{name}: the original text is not in {path} exactly once")
    for tests in sorted({tuple(m[4]) for m in chosen}):
        if not tests_pass(list(tests)):
            raise SystemExit(f"the unmutated code already fails {' '.join(tests)}: fix that first")
    survivors = []
    for mutant in chosen:
        verdict = killed(*mutant)
        if not verdict:
            survivors.append(mutant[0])
        print(f"{'killed  ' if verdict else 'SURVIVED'}  {mutant[0]}", flush=True)
    print(f"{len(chosen) - len(survivors)} of {len(chosen)} killed")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
