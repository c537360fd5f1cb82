"""A person's daily maximum may differ by weekday (part days) and by date (on-call days)."""

from __future__ import annotations

from datetime import date, timedelta

import pydantic
import pytest
from contracts.events.resources_staff import MAX_DATED_MAXIMA, StaffMemberUpserted
from contracts.examples import EXAMPLES

FRIDAY = date(2027, 3, 5)


def _member(**changes) -> StaffMemberUpserted:
    example = EXAMPLES[StaffMemberUpserted].model_dump(mode="json")
    return StaffMemberUpserted.model_validate(example | changes)


def test_a_dated_maximum_wins_over_its_weekday_and_the_weekday_over_every_day():
    member = _member(
        max_minutes_per_day=480,
        max_minutes_by_weekday={"friday": 240},
        max_minutes_by_date={"2027-03-05": 120},
    )
    assert member.max_minutes_on(FRIDAY) == 120
    assert member.max_minutes_on(FRIDAY + timedelta(days=7)) == 240
    assert member.max_minutes_on(FRIDAY - timedelta(days=1)) == 480


def test_a_weekday_maximum_applies_to_someone_with_no_maximum_otherwise():
    member = _member(max_minutes_per_day=None, max_minutes_by_weekday={"friday": 240})
    assert member.max_minutes_on(FRIDAY) == 240
    assert member.max_minutes_on(FRIDAY + timedelta(days=1)) is None


def test_a_snapshot_without_the_maxima_reads_as_one_maximum_for_every_day():
    example = EXAMPLES[StaffMemberUpserted].model_dump(mode="json")
    del example["max_minutes_by_weekday"], example["max_minutes_by_date"]
    member = StaffMemberUpserted.model_validate(example | {"max_minutes_per_day": 300})
    assert (member.max_minutes_by_weekday, member.max_minutes_by_date) == ({}, {})
    assert member.max_minutes_on(FRIDAY) == 300


def test_maxima_serialize_in_their_natural_order():
    member = _member(
        max_minutes_by_weekday={"sunday": 60, "monday": 300},
        max_minutes_by_date={"2027-03-05": 120, "2027-01-01": 90},
    )
    dumped = member.model_dump(mode="json")
    assert list(dumped["max_minutes_by_weekday"]) == ["monday", "sunday"]
    assert list(dumped["max_minutes_by_date"]) == ["2027-01-01", "2027-03-05"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_minutes_by_weekday", {"fri": 240}),
        ("max_minutes_by_weekday", {"friday": 0}),
        ("max_minutes_by_weekday", {"friday": 1441}),
        ("max_minutes_by_date", {"2027-02-30": 120}),
        ("max_minutes_by_date", {"3027-03-05": 120}),
        ("max_minutes_by_date", {"2027-03-05": 0}),
    ],
)
def test_refuses_a_maximum_on_no_day_or_outside_a_day(field, value):
    with pytest.raises(pydantic.ValidationError, match=field):
        _member(**{field: value})


def test_refuses_more_dated_maxima_than_a_record_may_hold():
    first = date(2027, 1, 1)
    many = {str(first + timedelta(days=i)): 60 for i in range(MAX_DATED_MAXIMA + 1)}
    with pytest.raises(pydantic.ValidationError, match="at most"):
        _member(max_minutes_by_date=many)
