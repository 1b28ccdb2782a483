"""The call-next policy, as a pure function: no database."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from models.policy import Candidate, CounterContext, rank

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
A, R, I = 1, 2, 3  # service ids


def t(id_, service=A, minutes_ago=10, priority=0, language="cs", due_in=None, target=None, match=False):
    return Candidate(id=id_, service_id=service, language=language, priority=priority,
                     effective_at=NOW - timedelta(minutes=minutes_ago),
                     due_at=None if due_in is None else NOW + timedelta(minutes=due_in),
                     target_counter_id=target, needs_language_match=match)


def counter(services=(A, R, I), languages=(), id_=7):
    return CounterContext(id=id_, service_ids=frozenset(services), languages=frozenset(languages))


def ids(tickets):
    return [x.id for x in tickets]


def test_nothing_waiting_gives_none():
    assert rank([], counter(), NOW) == []


def test_earliest_effective_time_first():
    assert ids(rank([t(1, minutes_ago=5), t(2, minutes_ago=30), t(3, minutes_ago=15)], counter(), NOW)) == [2, 3, 1]


def test_equal_times_fall_back_to_id():
    assert ids(rank([t(9), t(4), t(6)], counter(), NOW)) == [4, 6, 9]


def test_priority_beats_waiting_time():
    ranked = rank([t(1, minutes_ago=60), t(2, minutes_ago=1, priority=1), t(3, minutes_ago=2, priority=2)],
                  counter(), NOW)
    assert ids(ranked) == [3, 2, 1]


def test_due_appointment_beats_priority_and_time():
    ranked = rank([t(1, minutes_ago=90, priority=5), t(2, due_in=0, minutes_ago=1)], counter(), NOW)
    assert ids(ranked) == [2, 1]


def test_appointment_counts_as_due_shortly_before_its_start():
    early = t(2, due_in=5, minutes_ago=1)           # the README's "5 minutes before its start"
    too_early = t(3, due_in=6, minutes_ago=0)
    ranked = rank([t(1, minutes_ago=30), early, too_early], counter(), NOW)
    assert ids(ranked) == [2, 1, 3]  # a not-yet-due appointment waits like a walk-in of its issue time


def test_due_appointments_among_themselves_by_appointment_time():
    ranked = rank([t(1, due_in=-5, minutes_ago=1), t(2, due_in=-20, minutes_ago=0), t(3, due_in=0, minutes_ago=50)],
                  counter(), NOW)
    assert ids(ranked) == [2, 1, 3]


def test_only_the_counters_services_are_eligible():
    assert ids(rank([t(1, service=R), t(2, service=I), t(3, service=A)], counter(services=(A,)), NOW)) == [3]


def test_ticket_transferred_to_another_counter_is_not_eligible():
    tickets = [t(1, target=99, minutes_ago=50), t(2, target=7, minutes_ago=40), t(3, minutes_ago=30)]
    assert ids(rank(tickets, counter(id_=7), NOW)) == [2, 3]
    assert ids(rank(tickets, counter(id_=99), NOW)) == [1, 3]


def test_interpreter_gets_own_languages_first():
    tickets = [t(1, service=I, language="mn", minutes_ago=50, match=True),
               t(2, service=I, language="vi", minutes_ago=10, match=True),
               t(3, service=I, language="ru", minutes_ago=20, match=True)]
    assert ids(rank(tickets, counter(languages=("ru", "vi")), NOW)) == [3, 2, 1]


def test_language_preference_outranks_priority_and_appointments():
    # An interpreter who does not speak the language cannot serve the client at all.
    tickets = [t(1, service=I, language="mn", priority=5, due_in=0, match=True),
               t(2, service=I, language="ru", minutes_ago=1, match=True)]
    assert ids(rank(tickets, counter(languages=("ru",)), NOW)) == [2, 1]


def test_unmatched_language_is_still_offered_when_nothing_else_waits():
    tickets = [t(1, service=I, language="mn", match=True)]
    assert rank(tickets, counter(languages=("ru",)), NOW)[0].id == 1


def test_language_does_not_matter_for_services_without_matching():
    tickets = [t(1, service=A, language="mn", minutes_ago=30), t(2, service=A, language="ru", minutes_ago=10)]
    assert ids(rank(tickets, counter(languages=("ru",)), NOW)) == [1, 2]


def test_no_declared_languages_means_no_preference():
    tickets = [t(1, service=I, language="mn", minutes_ago=30, match=True),
               t(2, service=I, language="ru", minutes_ago=10, match=True)]
    assert ids(rank(tickets, counter(languages=()), NOW)) == [1, 2]


def test_mixed_services_share_one_order():
    tickets = [t(1, service=R, minutes_ago=5), t(2, service=A, minutes_ago=25), t(3, service=R, minutes_ago=15)]
    assert ids(rank(tickets, counter(services=(A, R)), NOW)) == [2, 3, 1]
