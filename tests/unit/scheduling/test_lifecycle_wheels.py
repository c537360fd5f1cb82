"""Wheels-in and wheels-out times, without I/O: only times that can be true are recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scheduling_service.domain.wheels import (
    TimesRefused,
    ensure_plausible_wheels_in,
    ensure_plausible_wheels_out,
)

NOW = datetime(2027, 3, 3, 10, 0, tzinfo=UTC)
BOOKED = datetime(2027, 3, 3, 9, 0, tzinfo=UTC)
CAME_IN = datetime(2027, 3, 3, 8, 0, tzinfo=UTC)


def _minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


@pytest.mark.parametrize(
    ("came_in", "booked"),
    [
        (NOW, BOOKED),
        (NOW + _minutes(5), NOW + timedelta(hours=2)),
        (BOOKED - _minutes(20), BOOKED),
        (BOOKED - timedelta(hours=12), BOOKED),
        (NOW - timedelta(days=3), NOW - timedelta(days=3)),
    ],
)
def test_accepts_a_wheels_in_by_now_and_at_most_half_a_day_before_the_booked_start(
    came_in: datetime, booked: datetime
) -> None:
    ensure_plausible_wheels_in(came_in, booked_start=booked, now=NOW)


@pytest.mark.parametrize(
    "came_in", [NOW + _minutes(5) + timedelta(seconds=1), NOW + _minutes(6), NOW.replace(2199)]
)
def test_refuses_a_wheels_in_more_than_five_minutes_ahead_of_now(came_in: datetime) -> None:
    with pytest.raises(TimesRefused, match=r"wheels_in .* is in the future: it may be at most 5"):
        ensure_plausible_wheels_in(came_in, booked_start=came_in, now=NOW)


def test_refuses_a_wheels_in_more_than_twelve_hours_before_the_booked_start() -> None:
    next_year = BOOKED.replace(year=2028)
    for booked in (BOOKED + timedelta(hours=12) + _minutes(1), next_year):
        with pytest.raises(TimesRefused, match="more than 12 hours before the booked start"):
            ensure_plausible_wheels_in(BOOKED, booked_start=booked, now=NOW)


def test_a_wheels_in_of_a_case_without_a_booking_is_judged_by_the_clock_alone() -> None:
    ensure_plausible_wheels_in(NOW - timedelta(days=30), booked_start=None, now=NOW)


@pytest.mark.parametrize("took", [_minutes(1), _minutes(90), timedelta(hours=24)])
def test_accepts_a_wheels_out_by_now_after_wheels_in_and_within_a_day(took: timedelta) -> None:
    ensure_plausible_wheels_out(CAME_IN, CAME_IN + took, now=CAME_IN + took)


def test_accepts_a_wheels_out_up_to_five_minutes_ahead_of_now() -> None:
    ensure_plausible_wheels_out(CAME_IN, NOW + _minutes(5), now=NOW)


@pytest.mark.parametrize("minutes", [0, -1, -90])
def test_refuses_wheels_out_at_or_before_wheels_in(minutes: int) -> None:
    with pytest.raises(TimesRefused, match="must be after wheels_in"):
        ensure_plausible_wheels_out(CAME_IN, CAME_IN + _minutes(minutes), now=NOW)


def test_refuses_wheels_out_of_a_case_never_seen_coming_in() -> None:
    with pytest.raises(TimesRefused, match="record wheels in first"):
        ensure_plausible_wheels_out(None, CAME_IN, now=NOW)


def test_refuses_a_wheels_out_more_than_five_minutes_ahead_of_now() -> None:
    for went_out in (NOW + _minutes(6), NOW.replace(2199)):
        with pytest.raises(TimesRefused, match=r"wheels_out .* is in the future"):
            ensure_plausible_wheels_out(CAME_IN, went_out, now=NOW)


def test_refuses_a_case_lasting_more_than_a_day() -> None:
    long_ago = CAME_IN - timedelta(days=365)
    for came_in in (CAME_IN - timedelta(hours=24) - _minutes(1), long_ago):
        with pytest.raises(TimesRefused, match="more than 24 hours after wheels_in"):
            ensure_plausible_wheels_out(came_in, CAME_IN, now=NOW)
