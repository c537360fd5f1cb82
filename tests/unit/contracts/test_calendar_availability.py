"""Effective open time of rooms, staff and equipment units: weekly rules, exceptions, statuses."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from contracts.calendar.availability import (
    HoursException,
    daily_open_minutes,
    room_open_spans,
    staff_available_spans,
    unit_available_spans,
)
from contracts.calendar.spans import Span
from contracts.values import LocalTimeRange, WeeklyHours

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY = date(2027, 1, 4)
TUESDAY = date(2027, 1, 5)
WEEKDAYS = WeeklyHours(
    monday=(LocalTimeRange(start="08:00", end="16:00"),),
    tuesday=(LocalTimeRange(start="08:00", end="16:00"),),
)


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def span(day: date, start_hour: int, end_hour: int) -> Span:
    return Span(utc(day, start_hour), utc(day, end_hour))


def room(exceptions=(), status="active", first=MONDAY, last=TUESDAY):
    return room_open_spans(WEEKDAYS, exceptions, status=status, tz=AMS, first=first, last=last)


def test_an_active_room_is_open_its_weekly_hours():
    assert room() == [span(MONDAY, 7, 15), span(TUESDAY, 7, 15)]


def test_a_closure_cuts_the_room_hours_it_covers():
    closure = HoursException("closure", utc(MONDAY, 10), utc(TUESDAY, 12))
    assert room([closure]) == [span(MONDAY, 7, 10), span(TUESDAY, 12, 15)]


def test_extended_hours_add_open_time_joined_to_the_weekly_hours():
    evening = HoursException("extended_hours", utc(MONDAY, 15), utc(MONDAY, 19))
    assert room([evening]) == [span(MONDAY, 7, 19), span(TUESDAY, 7, 15)]


def test_extended_hours_on_a_closed_weekday_open_the_room_that_day():
    wednesday = date(2027, 1, 6)
    extra = HoursException("extended_hours", utc(wednesday, 8), utc(wednesday, 12))
    assert room([extra], last=wednesday)[-1] == span(wednesday, 8, 12)


def test_maintenance_cuts_the_room_hours_it_covers():
    maintenance = HoursException("maintenance", utc(TUESDAY, 6), utc(TUESDAY, 9))
    assert room([maintenance]) == [span(MONDAY, 7, 15), span(TUESDAY, 9, 15)]


def test_a_closure_wins_over_extended_hours_it_overlaps():
    extra = HoursException("extended_hours", utc(MONDAY, 15), utc(MONDAY, 19))
    closure = HoursException("closure", utc(MONDAY, 17), utc(MONDAY, 20))
    assert room([extra, closure]) == [span(MONDAY, 7, 17), span(TUESDAY, 7, 15)]


def test_extended_hours_outside_the_asked_dates_are_clipped_off():
    late = HoursException("extended_hours", utc(TUESDAY, 15), utc(date(2027, 1, 6), 3))
    assert room([late])[-1] == Span(utc(TUESDAY, 7), utc(TUESDAY, 23))


@pytest.mark.parametrize("status", ["maintenance", "retired"])
def test_a_room_that_is_not_active_is_never_open(status):
    extra = HoursException("extended_hours", utc(MONDAY, 15), utc(MONDAY, 19))
    assert room([extra], status=status) == []


def test_an_unknown_room_status_is_refused():
    with pytest.raises(ValueError, match="status"):
        room(status="closed")


def test_an_exception_of_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        HoursException("holiday", utc(MONDAY, 8), utc(MONDAY, 9))


def test_an_exception_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="after start"):
        HoursException("closure", utc(MONDAY, 9), utc(MONDAY, 8))


def test_staff_are_available_their_pattern_outside_absences():
    absence = span(MONDAY, 6, 12)
    available = staff_available_spans(
        WEEKDAYS, [absence], active=True, tz=AMS, first=MONDAY, last=TUESDAY
    )
    assert available == [span(MONDAY, 12, 15), span(TUESDAY, 7, 15)]


def test_an_absence_over_the_whole_range_leaves_no_availability():
    absence = Span(utc(MONDAY, 0), utc(TUESDAY, 23))
    available = staff_available_spans(
        WEEKDAYS, [absence], active=True, tz=AMS, first=MONDAY, last=TUESDAY
    )
    assert available == []


def test_inactive_staff_are_never_available():
    available = staff_available_spans(
        WEEKDAYS, [], active=False, tz=AMS, first=MONDAY, last=TUESDAY
    )
    assert available == []


def test_an_available_unit_is_usable_the_whole_window_outside_maintenance():
    window = Span(utc(MONDAY, 0), utc(TUESDAY, 0))
    windows = [span(MONDAY, 8, 10), span(MONDAY, 22, 23)]
    assert unit_available_spans(windows, status="available", window=window) == [
        span(MONDAY, 0, 8),
        span(MONDAY, 10, 22),
        Span(utc(MONDAY, 23), utc(TUESDAY, 0)),
    ]


@pytest.mark.parametrize("status", ["in_maintenance", "retired"])
def test_a_unit_in_maintenance_or_retired_is_never_usable(status):
    window = Span(utc(MONDAY, 0), utc(TUESDAY, 0))
    assert unit_available_spans([], status=status, window=window) == []


def test_an_unknown_unit_status_is_refused():
    window = Span(utc(MONDAY, 0), utc(TUESDAY, 0))
    with pytest.raises(ValueError, match="status"):
        unit_available_spans([], status="broken", window=window)


def test_daily_open_minutes_splits_a_span_at_local_midnight():
    # 20:00 Monday to 06:00 Tuesday, Amsterdam time.
    overnight = Span(utc(MONDAY, 19), utc(TUESDAY, 5))
    assert daily_open_minutes([overnight, span(TUESDAY, 7, 8)], AMS) == {
        MONDAY: 4 * 60,
        TUESDAY: 6 * 60 + 60,
    }


def test_daily_open_minutes_counts_a_25_hour_fall_back_day():
    fall_back = date(2027, 10, 31)
    whole_day = Span(datetime(2027, 10, 30, 22, tzinfo=UTC), datetime(2027, 10, 31, 23, tzinfo=UTC))
    assert daily_open_minutes([whole_day], AMS) == {fall_back: 25 * 60}


def test_daily_open_minutes_of_nothing_is_empty():
    assert daily_open_minutes([], AMS) == {}
