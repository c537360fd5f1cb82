"""A person's daily maximum per date (part days, on-call days) in the problem offered: no I/O."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span
from contracts.events.resources_staff import daily_maximum
from contracts.values import Weekday
from hypothesis import given, settings
from hypothesis import strategies as st
from scheduling_service.domain.planning_time import (
    available_minutes,
    maxima_by_date,
    within_daily_budget,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# 2031's spring-forward (30 March) and fall-back (26 October) Sundays in Amsterdam.
SPRING_FORWARD, FALL_BACK = date(2031, 3, 30), date(2031, 10, 26)
FRIDAY = date(2031, 3, 28)


def local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=AMSTERDAM).astimezone(UTC)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=AMSTERDAM).astimezone(UTC)


def test_names_only_the_dates_whose_maximum_is_not_the_usual_one():
    limit_on = lambda day: daily_maximum(  # noqa: E731
        day, 480, {Weekday.FRIDAY: 240}, {FRIDAY + timedelta(days=1): 120}
    )
    found = maxima_by_date(FRIDAY - timedelta(days=1), FRIDAY + timedelta(days=7), limit_on, 480)
    assert found == {
        FRIDAY: 240,
        FRIDAY + timedelta(days=1): 120,
        FRIDAY + timedelta(days=7): 240,
    }


def test_a_part_day_limits_the_time_left_beside_bookings_outside_the_problem():
    # 300 minutes worked on Friday already: of a 360-minute Friday, 60 are left to offer.
    limit_on = lambda day: daily_maximum(day, 600, {Weekday.FRIDAY: 360}, {})  # noqa: E731
    free = [Span(local(FRIDAY, 8), local(FRIDAY, 18))]
    kept = within_daily_budget(free, {FRIDAY: 300}, limit_on, AMSTERDAM)
    assert kept == [Span(local(FRIDAY, 8), local(FRIDAY, 9))]


def test_an_on_call_day_counts_for_no_more_than_its_maximum():
    limit_on = lambda day: daily_maximum(day, None, {}, {FRIDAY: 120})  # noqa: E731
    saturday = FRIDAY + timedelta(days=1)
    two_days = [
        Span(local(FRIDAY, 8), local(FRIDAY, 18)),
        Span(local(saturday, 8), local(saturday, 18)),
    ]
    assert available_minutes(two_days, AMSTERDAM, limit_on) == 120 + 600


DAYS = st.dates(min_value=date(2031, 1, 1), max_value=date(2031, 12, 31))
MINUTES = st.integers(min_value=1, max_value=24 * 60)
FIRST_DAYS = st.one_of(
    st.sampled_from([SPRING_FORWARD - timedelta(days=2), FALL_BACK - timedelta(days=1)]), DAYS
)


@settings(max_examples=60, deadline=None)
@given(
    first=FIRST_DAYS,
    length=st.integers(min_value=1, max_value=31),
    usual=st.none() | MINUTES,
    by_weekday=st.dictionaries(st.sampled_from(list(Weekday)), MINUTES, max_size=7),
    by_date=st.dictionaries(DAYS, MINUTES, max_size=20),
)
def test_the_map_says_each_date_s_own_maximum_and_nothing_else(
    first, length, usual, by_weekday, by_date
):
    last = first + timedelta(days=length - 1)
    limit_on = lambda day: daily_maximum(day, usual, by_weekday, by_date)  # noqa: E731

    found = maxima_by_date(first, last, limit_on, usual)

    assert all(first <= day <= last for day in found)
    for offset in range(length):
        day = first + timedelta(days=offset)
        assert found.get(day, usual) == limit_on(day)
        assert day not in found or found[day] != usual


@settings(max_examples=60, deadline=None)
@given(
    first=FIRST_DAYS,
    length=st.integers(min_value=1, max_value=5),
    usual=st.none() | MINUTES,
    by_weekday=st.dictionaries(st.sampled_from(list(Weekday)), MINUTES, max_size=7),
    used=st.lists(st.integers(min_value=0, max_value=24 * 60), min_size=5, max_size=5),
)
def test_a_day_never_offers_more_than_its_maximum_less_what_is_used(
    first, length, usual, by_weekday, used
):
    # Round the clock over the horizon: every local day, DST days included, is whole.
    dates = [first + timedelta(days=i) for i in range(length)]
    available = [Span(midnight(first), midnight(first + timedelta(days=length)))]
    used_by_day = dict(zip(dates, used, strict=False))
    limit_on = lambda day: daily_maximum(day, usual, by_weekday, {})  # noqa: E731

    kept = within_daily_budget(available, used_by_day, limit_on, AMSTERDAM)

    offered: dict[date, int] = defaultdict(int)
    for day in dates:
        whole = Span(midnight(day), midnight(day + timedelta(days=1)))
        offered[day] = sum(
            max(0, (min(s.end, whole.end) - max(s.start, whole.start)).total_seconds() // 60)
            for s in kept
        )
        whole_minutes = whole.minutes
        most = limit_on(day)
        expected = (
            whole_minutes if most is None else max(0, min(whole_minutes, most - used_by_day[day]))
        )
        assert offered[day] == expected
