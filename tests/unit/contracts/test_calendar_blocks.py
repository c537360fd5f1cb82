"""Block patterns: when they occur, where released dates fall, and when two of them clash."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from contracts.calendar.blocks import (
    BlockPattern,
    first_clash,
    next_occurrence,
    occurrences,
)
from contracts.calendar.spans import Span
from contracts.values import Weekday

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY = date(2027, 1, 4)
MON, TUE, WED = Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY


def weekly(days=(MON,), start="08:00", end="12:00", valid_from=MONDAY, valid_to=None, released=()):
    return BlockPattern.weekly(
        days, start, end, valid_from=valid_from, valid_to=valid_to, released=released
    )


def test_a_weekly_block_is_scheduled_on_its_weekdays_within_its_validity():
    block = weekly(days=(MON, WED), valid_to=MONDAY + timedelta(days=14))
    assert block.scheduled_on(MONDAY)
    assert block.scheduled_on(MONDAY + timedelta(days=2))
    assert not block.scheduled_on(MONDAY + timedelta(days=1))
    assert not block.scheduled_on(MONDAY - timedelta(days=7))
    assert not block.scheduled_on(MONDAY + timedelta(days=21))


def test_a_released_date_is_still_scheduled_but_does_not_occur():
    block = weekly(released=[MONDAY])
    assert block.scheduled_on(MONDAY)
    assert not block.occurs_on(MONDAY)
    assert block.occurs_on(MONDAY + timedelta(days=7))


def test_weekday_names_from_storage_become_weekdays():
    assert weekly(days=("monday",)).weekdays == frozenset({MON})


def test_a_single_date_block_is_valid_on_its_date_only():
    block = BlockPattern.on_date(MONDAY, "08:00", "12:00")
    assert (block.valid_from, block.valid_to, block.weekdays) == (MONDAY, MONDAY, frozenset())
    assert block.occurs_on(MONDAY)
    assert not block.occurs_on(MONDAY + timedelta(days=7))


def test_a_block_needs_weekdays_or_a_single_date_but_not_both():
    with pytest.raises(ValueError, match="either weekdays or a single date"):
        weekly(days=())
    with pytest.raises(ValueError, match="either weekdays or a single date"):
        BlockPattern(frozenset({MON}), MONDAY, MONDAY, MONDAY, "08:00", "12:00")


def test_a_single_date_block_valid_beyond_its_date_is_refused():
    with pytest.raises(ValueError, match="single-date"):
        BlockPattern(frozenset(), MONDAY, None, MONDAY, "08:00", "12:00")


def test_a_block_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="after start"):
        weekly(start="12:00", end="12:00")
    with pytest.raises(ValueError, match="before valid_from"):
        weekly(valid_to=MONDAY - timedelta(days=1))
    with pytest.raises(ValueError, match="HH:MM"):
        weekly(end="25:00")


def test_a_block_may_end_at_24_00():
    assert weekly(start="20:00", end="24:00").end_time == "24:00"


def test_occurrences_give_each_local_date_with_its_utc_span_across_spring_forward():
    block = weekly(days=(Weekday.SATURDAY, Weekday.SUNDAY), start="07:00", end="17:00")
    found = occurrences(block, AMS, date(2027, 3, 27), date(2027, 3, 28))
    assert found == [
        (
            date(2027, 3, 27),
            Span(datetime(2027, 3, 27, 6, tzinfo=UTC), datetime(2027, 3, 27, 16, tzinfo=UTC)),
        ),
        (
            date(2027, 3, 28),
            Span(datetime(2027, 3, 28, 5, tzinfo=UTC), datetime(2027, 3, 28, 15, tzinfo=UTC)),
        ),
    ]


def test_occurrences_leave_out_released_dates_and_dates_outside_validity():
    block = weekly(valid_to=MONDAY + timedelta(days=14), released=[MONDAY + timedelta(days=7)])
    found = occurrences(block, AMS, MONDAY - timedelta(days=7), MONDAY + timedelta(days=28))
    assert [day for day, _ in found] == [MONDAY, MONDAY + timedelta(days=14)]


def test_blocks_on_disjoint_weekdays_never_clash():
    assert first_clash(weekly(days=(MON,)), weekly(days=(TUE, WED))) is None


def test_blocks_on_the_same_weekday_at_separate_times_never_clash():
    morning, afternoon = weekly(start="08:00", end="10:00"), weekly(start="13:00", end="15:00")
    assert first_clash(morning, afternoon) is None


def test_blocks_that_only_touch_in_time_do_not_clash():
    before, after = weekly(start="10:00", end="12:00"), weekly(start="12:00", end="14:00")
    assert first_clash(before, after) is None


def test_open_ended_weekly_blocks_clash_on_their_first_common_date():
    later_start = MONDAY + timedelta(days=10)
    clash = first_clash(weekly(days=(MON, WED)), weekly(days=(WED,), valid_from=later_start))
    assert clash == date(2027, 1, 20)


def test_released_dates_push_the_clash_of_open_ended_blocks_to_the_next_common_date():
    released = [MONDAY + timedelta(days=7 * n) for n in range(3)]
    clash = first_clash(weekly(released=released), weekly(start="11:00", end="13:00"))
    assert clash == MONDAY + timedelta(days=21)


def test_open_ended_blocks_whose_common_dates_are_all_released_within_validity_do_not_clash():
    valid_to = MONDAY + timedelta(days=14)
    released = [MONDAY + timedelta(days=7 * n) for n in range(3)]
    bounded = weekly(valid_to=valid_to, released=released)
    assert first_clash(bounded, weekly()) is None


def test_blocks_whose_validities_do_not_meet_never_clash():
    january = weekly(valid_to=date(2027, 1, 31))
    march = weekly(valid_from=date(2027, 3, 1))
    assert first_clash(january, march) is None
    assert first_clash(march, january) is None


def test_a_weekly_block_clashes_with_a_single_date_block_on_its_weekday():
    single = BlockPattern.on_date(date(2027, 6, 7), "09:00", "10:00")  # a Monday
    assert first_clash(weekly(), single) == date(2027, 6, 7)
    assert first_clash(single, weekly()) == date(2027, 6, 7)


def test_a_weekly_block_does_not_clash_with_a_single_date_block_on_another_weekday():
    single = BlockPattern.on_date(date(2027, 6, 8), "09:00", "10:00")  # a Tuesday
    assert first_clash(weekly(), single) is None


def test_a_released_date_hides_the_clash_with_a_single_date_block_on_that_date():
    day = date(2027, 6, 7)
    single = BlockPattern.on_date(day, "09:00", "10:00")
    assert first_clash(weekly(released=[day]), single) is None


def test_a_single_date_block_released_on_its_date_clashes_with_nothing():
    single = BlockPattern.on_date(MONDAY, "09:00", "10:00", released=[MONDAY])
    assert first_clash(weekly(), single) is None


def test_clash_search_over_decades_of_validity_answers_at_once():
    far = date(2099, 12, 31)
    a = weekly(days=(MON,), valid_to=far)
    b = weekly(days=(TUE,), valid_to=far)
    assert first_clash(a, b) is None
    assert first_clash(a, weekly(valid_from=date(2090, 1, 2))) == date(2090, 1, 2)


def test_next_occurrence_skips_released_dates_and_other_weekdays():
    block = weekly(days=(WED,), released=[date(2027, 1, 6)])
    assert next_occurrence(block, MONDAY) == date(2027, 1, 13)
    assert next_occurrence(block, date(2027, 1, 13)) == date(2027, 1, 13)


def test_next_occurrence_starts_at_the_validity_and_ends_with_it():
    block = weekly(valid_from=date(2027, 2, 1), valid_to=date(2027, 2, 28))
    assert next_occurrence(block, MONDAY) == date(2027, 2, 1)
    assert next_occurrence(block, date(2027, 2, 23)) is None


def test_a_single_date_block_has_no_next_occurrence_after_its_date():
    single = BlockPattern.on_date(MONDAY, "09:00", "10:00")
    assert next_occurrence(single, MONDAY - timedelta(days=30)) == MONDAY
    assert next_occurrence(single, MONDAY + timedelta(days=1)) is None
