"""A date range runs forwards, both ends included, and is no longer than the service allows;
a stored period holds its start and not its end."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from servicekit.date_ranges import ensure_date_range, period
from servicekit.problems import Problem


def test_accepts_a_single_day_and_a_range_of_exactly_the_limit() -> None:
    ensure_date_range(date(2027, 3, 1), date(2027, 3, 1), 1)
    ensure_date_range(date(2027, 3, 1), date(2027, 3, 7), 7)


def test_refuses_a_range_that_runs_backwards_naming_both_dates() -> None:
    with pytest.raises(Problem) as refused:
        ensure_date_range(date(2027, 3, 2), date(2027, 3, 1), 7)
    assert refused.value.status == 422
    assert "2027-03-01 is before `from` 2027-03-02" in refused.value.detail


def test_refuses_one_day_over_the_limit_saying_how_long_it_is() -> None:
    with pytest.raises(Problem) as refused:
        ensure_date_range(date(2027, 3, 1), date(2027, 3, 8), 7)
    assert refused.value.status == 422
    assert "spans 8 days; ask for at most 7" in refused.value.detail


def test_a_period_holds_its_start_but_not_its_end_so_back_to_back_periods_do_not_overlap() -> None:
    nine, ten, eleven = (datetime(2027, 3, 1, hour, tzinfo=UTC) for hour in (9, 10, 11))
    assert period(nine, ten).contains(nine)
    assert not period(nine, ten).contains(ten)
    assert not period(nine, ten).overlaps(period(ten, eleven))
    assert period(nine, eleven).overlaps(period(ten, eleven))
