"""The rules the blocks service applies to stored blocks: patterns, clashes, releases."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from contracts.events.resources_blocks import SingleDate, WeeklyRecurrence
from contracts.values import Weekday
from resources_service.domain.block_rules import (
    earliest_clash,
    never_takes_place,
    pattern_of,
    recurrence_of,
    release_refusal,
    stored_pattern,
)

MONDAY = date(2027, 3, 1)
TUESDAY = date(2027, 3, 2)


def weekly(*weekdays: str, start: str = "08:00", end: str = "12:00", **validity: date):
    recurrence = WeeklyRecurrence(weekdays=weekdays, valid_from=MONDAY, **validity)
    return pattern_of(recurrence, start, end)


def stored(**columns: object) -> SimpleNamespace:
    row = {
        "recurrence": "weekly",
        "weekdays": ["monday", "wednesday"],
        "valid_from": MONDAY,
        "valid_to": None,
        "start_time": "08:00",
        "end_time": "12:00",
    }
    return SimpleNamespace(**{**row, **columns})


def test_a_stored_single_date_block_reads_back_as_its_date() -> None:
    row = stored(recurrence="date", weekdays=[], valid_from=TUESDAY, valid_to=TUESDAY)
    assert recurrence_of(row) == SingleDate(date=TUESDAY)


def test_a_stored_weekly_block_reads_back_with_its_weekdays_and_validity() -> None:
    recurrence = recurrence_of(stored(valid_to=date(2027, 6, 30)))
    assert recurrence == WeeklyRecurrence(
        weekdays=(Weekday.MONDAY, Weekday.WEDNESDAY),
        valid_from=MONDAY,
        valid_to=date(2027, 6, 30),
    )


def test_a_stored_pattern_leaves_out_its_released_dates() -> None:
    pattern = stored_pattern(stored(), [MONDAY])
    assert not pattern.occurs_on(MONDAY)
    assert pattern.occurs_on(date(2027, 3, 3))


def test_refuses_a_block_whose_validity_holds_none_of_its_weekdays() -> None:
    refusal = never_takes_place(weekly("friday", valid_to=TUESDAY))
    assert refusal is not None
    assert "friday" in refusal


def test_accepts_a_block_that_takes_place_at_least_once() -> None:
    assert never_takes_place(weekly("tuesday", valid_to=TUESDAY)) is None
    assert never_takes_place(pattern_of(SingleDate(date=TUESDAY), "08:00", "12:00")) is None


def test_refuses_a_single_date_block_whose_date_was_released() -> None:
    pattern = pattern_of(SingleDate(date=TUESDAY), "08:00", "12:00", [TUESDAY])
    assert never_takes_place(pattern) is not None


def test_the_earliest_clash_names_the_block_met_first_among_several() -> None:
    later = pattern_of(SingleDate(date=date(2027, 3, 15)), "09:00", "10:00")
    sooner = pattern_of(SingleDate(date=date(2027, 3, 8)), "11:00", "13:00")
    clash = earliest_clash(weekly("monday"), [("later", later), ("sooner", sooner)])
    assert clash == ("sooner", date(2027, 3, 8))


def test_blocks_that_only_touch_or_fall_on_other_days_do_not_clash() -> None:
    touching = weekly("monday", start="12:00", end="16:00")
    other_day = weekly("tuesday", start="09:00", end="10:00")
    assert earliest_clash(weekly("monday"), [("a", touching), ("b", other_day)]) is None


def test_a_released_occurrence_leaves_its_date_free_for_another_block() -> None:
    released = stored_pattern(stored(recurrence="date", weekdays=[], valid_to=MONDAY), [MONDAY])
    assert earliest_clash(weekly("monday"), [("released", released)]) is None


def test_releases_a_scheduled_occurrence_of_today_or_later() -> None:
    assert release_refusal(weekly("monday"), date(2027, 3, 8), today=MONDAY) is None
    assert release_refusal(weekly("monday"), MONDAY, today=MONDAY) is None


def test_refuses_to_release_a_date_the_block_is_not_scheduled_on() -> None:
    refusal = release_refusal(weekly("monday"), TUESDAY, today=MONDAY)
    assert refusal is not None
    assert "not scheduled on 2027-03-02" in refusal


def test_refuses_to_release_a_date_outside_the_validity() -> None:
    pattern = weekly("monday", valid_to=date(2027, 3, 8))
    assert release_refusal(pattern, date(2027, 3, 15), today=MONDAY) is not None


def test_refuses_to_release_a_past_occurrence() -> None:
    refusal = release_refusal(weekly("monday"), MONDAY, today=TUESDAY)
    assert refusal is not None
    assert "in the past" in refusal
