"""The time a problem offers a person whom bookings outside it already keep busy: no I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span
from scheduling_service.domain.planning_time import (
    available_minutes,
    long_enough,
    minutes_by_day,
    reaching_past,
    within_daily_budget,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2031, 3, day, hour, minute, tzinfo=UTC)


def test_minutes_count_on_the_local_date_each_surgery_starts() -> None:
    # 23:30Z on the 4th is 00:30 on the 5th in Amsterdam: it counts for the 5th, whole.
    late = Span(utc(4, 23, 30), utc(5, 1, 30))
    morning = Span(utc(5, 8), utc(5, 9))
    assert minutes_by_day([late, morning], AMSTERDAM) == {date(2031, 3, 5): 180}


def test_round_the_clock_availability_over_three_days_is_worth_three_daily_maxima() -> None:
    # Midnight to midnight in Amsterdam (UTC+1), the 5th to the 7th: one merged span.
    always = [Span(utc(4, 23), utc(5, 23)), Span(utc(5, 23), utc(7, 23))]
    assert available_minutes(always, AMSTERDAM, 600) == 3 * 600
    assert available_minutes(always, AMSTERDAM, None) == 3 * 24 * 60


def test_free_time_counts_on_each_local_day_it_falls_in() -> None:
    # 22:00 to 02:00 in Amsterdam: two hours on each side of midnight, each within a 150 max.
    overnight = [Span(utc(5, 21), utc(6, 1))]
    assert available_minutes(overnight, AMSTERDAM, 150) == 240


def test_days_without_other_bookings_keep_all_their_time() -> None:
    shifts = [Span(utc(5, 6), utc(5, 18)), Span(utc(6, 6), utc(6, 18))]
    kept = within_daily_budget(shifts, {date(2031, 3, 7): 600}, 600, AMSTERDAM)
    assert kept == shifts


def test_a_day_with_other_bookings_offers_only_what_is_left_of_the_maximum_earliest_first() -> None:
    free = [Span(utc(5, 6), utc(5, 7)), Span(utc(5, 11), utc(5, 18))]
    kept = within_daily_budget(free, {date(2031, 3, 5): 240}, 360, AMSTERDAM)
    assert kept == [Span(utc(5, 6), utc(5, 7)), Span(utc(5, 11), utc(5, 12))]


def test_a_day_whose_maximum_is_already_worked_offers_nothing() -> None:
    free = [Span(utc(5, 6), utc(5, 18)), Span(utc(6, 6), utc(6, 18))]
    kept = within_daily_budget(free, {date(2031, 3, 5): 600}, 600, AMSTERDAM)
    assert kept == [Span(utc(6, 6), utc(6, 18))]


def test_without_a_daily_maximum_nothing_is_cut() -> None:
    free = [Span(utc(5, 6), utc(5, 18))]
    assert within_daily_budget(free, {date(2031, 3, 5): 900}, None, AMSTERDAM) == free


def test_a_span_over_local_midnight_is_budgeted_per_local_day() -> None:
    # 21:00Z-01:00Z is 22:00-02:00 in Amsterdam: 2 hours on the 5th, 2 on the 6th.
    night = [Span(utc(5, 21), utc(6, 1))]
    kept = within_daily_budget(night, {date(2031, 3, 5): 540}, 600, AMSTERDAM)
    assert kept == [Span(utc(5, 21), utc(5, 22)), Span(utc(5, 23), utc(6, 1))]


def test_a_piece_of_time_shorter_than_the_shortest_case_is_not_offered() -> None:
    free = [Span(utc(5, 6), utc(5, 7)), Span(utc(5, 9), utc(5, 10, 30))]
    assert long_enough(free, 90) == [Span(utc(5, 9), utc(5, 10, 30))]


def test_a_unit_may_serve_until_a_room_closes_and_its_turnaround_after() -> None:
    room_time = [Span(utc(5, 6), utc(5, 8)), Span(utc(5, 8, 20), utc(5, 18))]
    # The 30 minutes after the first span reach into the second: one span.
    assert reaching_past(room_time, 30) == [Span(utc(5, 6), utc(5, 18, 30))]
