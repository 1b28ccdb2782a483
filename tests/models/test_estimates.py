"""The service-time estimate behind "about N minutes": robust to a run of very quick services."""
from __future__ import annotations

from models.estimates import service_minutes_estimate


def test_no_history_uses_the_configured_duration():
    assert service_minutes_estimate([], 10) == 10.0


def test_a_few_quick_services_do_not_collapse_the_estimate():
    # Three questions answered in 10 s each: the median alone would say 10 s a visitor.
    assert service_minutes_estimate([1 / 6, 1 / 6, 1 / 6], 10) == 6.3125


def test_the_floor_is_half_the_configured_duration():
    assert service_minutes_estimate([0.2] * 20, 10) == 5.0


def test_a_long_history_follows_the_real_times_and_ignores_one_outlier():
    recent = [12.0] * 19 + [180.0]
    assert service_minutes_estimate(recent, 10) == 11.6


def test_ten_people_ahead_after_three_very_fast_services(queue, world, clock):
    desk = world.counters["desk-a"]
    queue.open_counter(desk, staff_id=world.staff["anna"])
    for _ in range(3):
        ticket = queue.issue_ticket("b1", "assistance", "vi")
        queue.call_next(desk)
        queue.start(ticket.id)
        clock.advance(seconds=10)
        queue.finish(ticket.id)
    tickets = [queue.issue_ticket("b1", "assistance", "vi") for _ in range(11)]
    assert tickets[-1].people_ahead == 10
    assert tickets[-1].estimated_wait_minutes == 64        # was 5: ten people at 30 s each
