"""Local wall-clock rules to UTC spans on Europe/Amsterdam, around both daylight saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from contracts.calendar.spans import Span
from contracts.calendar.wallclock import (
    clock_minutes,
    days,
    local_moment,
    local_span,
    range_span,
    weekly_spans,
)
from contracts.values import LocalTimeRange, WeeklyHours

AMS = ZoneInfo("Europe/Amsterdam")
SPRING_FORWARD = date(2027, 3, 28)  # a Sunday
FALL_BACK = date(2027, 10, 31)  # a Sunday


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def every_day(start: str, end: str) -> WeeklyHours:
    day = (LocalTimeRange(start=start, end=end),)
    return WeeklyHours(
        monday=day,
        tuesday=day,
        wednesday=day,
        thursday=day,
        friday=day,
        saturday=day,
        sunday=day,
    )


def test_clock_minutes_reads_hh_mm_and_24_00():
    assert clock_minutes("00:00") == 0
    assert clock_minutes("07:30") == 450
    assert clock_minutes("24:00") == 1440


@pytest.mark.parametrize("clock", ["7:30", "24:01", "25:00", "12:60", "noon", ""])
def test_clock_minutes_refuses_anything_but_hh_mm(clock):
    with pytest.raises(ValueError, match="HH:MM"):
        clock_minutes(clock)


def test_local_moment_is_in_utc():
    moment = local_moment(date(2027, 1, 4), "08:00", AMS)
    assert moment == utc(2027, 1, 4, 7)
    assert moment.tzinfo is UTC


def test_24_00_is_midnight_starting_the_next_day():
    assert local_moment(date(2027, 1, 4), "24:00", AMS) == utc(2027, 1, 4, 23)


def test_a_time_in_the_spring_forward_gap_moves_forward_by_the_gap():
    assert local_moment(SPRING_FORWARD, "02:30", AMS) == utc(2027, 3, 28, 1, 30)


def test_a_time_repeated_at_fall_back_means_its_first_occurrence():
    assert local_moment(FALL_BACK, "02:30", AMS) == utc(2027, 10, 31, 0, 30)


def test_a_range_wholly_inside_the_spring_forward_gap_has_no_span():
    assert local_span(SPRING_FORWARD, "02:15", "03:00", AMS) is None


def test_days_lists_each_date_with_both_ends_included():
    assert list(days(date(2027, 1, 30), date(2027, 2, 1))) == [
        date(2027, 1, 30),
        date(2027, 1, 31),
        date(2027, 2, 1),
    ]
    assert list(days(date(2027, 1, 30), date(2027, 1, 30))) == [date(2027, 1, 30)]


def test_a_date_range_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="before first"):
        days(date(2027, 1, 2), date(2027, 1, 1))
    with pytest.raises(ValueError, match="before first"):
        range_span(date(2027, 1, 2), date(2027, 1, 1), AMS)
    with pytest.raises(ValueError, match="before first"):
        weekly_spans(WeeklyHours(), AMS, date(2027, 1, 2), date(2027, 1, 1))


def test_range_span_runs_from_local_midnight_to_local_midnight():
    assert range_span(date(2027, 1, 4), date(2027, 1, 5), AMS) == Span(
        utc(2027, 1, 3, 23), utc(2027, 1, 5, 23)
    )


def test_room_opens_an_hour_earlier_in_utc_after_spring_forward():
    hours = every_day("07:00", "17:00")
    assert weekly_spans(hours, AMS, SPRING_FORWARD - timedelta(days=1), SPRING_FORWARD) == [
        Span(utc(2027, 3, 27, 6), utc(2027, 3, 27, 16)),
        Span(utc(2027, 3, 28, 5), utc(2027, 3, 28, 15)),
    ]


def test_room_opens_an_hour_later_in_utc_after_fall_back():
    hours = every_day("07:00", "17:00")
    assert weekly_spans(hours, AMS, FALL_BACK - timedelta(days=1), FALL_BACK) == [
        Span(utc(2027, 10, 30, 5), utc(2027, 10, 30, 15)),
        Span(utc(2027, 10, 31, 6), utc(2027, 10, 31, 16)),
    ]


def test_a_whole_local_day_lasts_23_hours_on_spring_forward_and_25_on_fall_back():
    hours = every_day("00:00", "24:00")
    (spring,) = weekly_spans(hours, AMS, SPRING_FORWARD, SPRING_FORWARD)
    (autumn,) = weekly_spans(hours, AMS, FALL_BACK, FALL_BACK)
    assert spring.minutes == 23 * 60
    assert autumn.minutes == 25 * 60
    assert range_span(SPRING_FORWARD, SPRING_FORWARD, AMS) == spring


def test_hours_starting_in_the_spring_forward_gap_open_when_the_gap_has_moved_them():
    hours = every_day("02:30", "17:00")
    assert weekly_spans(hours, AMS, SPRING_FORWARD, SPRING_FORWARD) == [
        Span(utc(2027, 3, 28, 1, 30), utc(2027, 3, 28, 15))
    ]


def test_overnight_hours_on_consecutive_days_merge_across_midnight():
    hours = WeeklyHours(
        monday=(LocalTimeRange(start="20:00", end="24:00"),),
        tuesday=(LocalTimeRange(start="00:00", end="06:00"),),
    )
    monday = date(2027, 1, 4)
    assert weekly_spans(hours, AMS, monday, monday + timedelta(days=1)) == [
        Span(utc(2027, 1, 4, 19), utc(2027, 1, 5, 5))
    ]


def test_overnight_hours_are_cut_at_the_last_date_of_the_range():
    hours = WeeklyHours(
        monday=(LocalTimeRange(start="20:00", end="24:00"),),
        tuesday=(LocalTimeRange(start="00:00", end="06:00"),),
    )
    monday = date(2027, 1, 4)
    assert weekly_spans(hours, AMS, monday, monday) == [
        Span(utc(2027, 1, 4, 19), utc(2027, 1, 4, 23))
    ]


def test_days_without_hours_give_no_spans():
    assert weekly_spans(WeeklyHours(), AMS, date(2027, 1, 4), date(2027, 1, 10)) == []


def test_several_ranges_on_one_day_stay_apart():
    hours = WeeklyHours(
        monday=(
            LocalTimeRange(start="08:00", end="12:00"),
            LocalTimeRange(start="13:00", end="17:00"),
        )
    )
    monday = date(2027, 1, 4)
    assert weekly_spans(hours, AMS, monday, monday + timedelta(days=6)) == [
        Span(utc(2027, 1, 4, 7), utc(2027, 1, 4, 11)),
        Span(utc(2027, 1, 4, 12), utc(2027, 1, 4, 16)),
    ]
