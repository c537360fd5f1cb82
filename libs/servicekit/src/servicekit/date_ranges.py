"""The one rule every date-range query shares: `from` to `to`, both included, not too long;
and the one spelling of a stored period (a `tstzrange`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.dialects.postgresql import Range

from servicekit.problems import Problem


def period(start: datetime, end: datetime) -> Range[datetime]:
    """The `tstzrange` from `start` up to, not including, `end`: back-to-back periods (a case
    ending at 10:00, the next starting then) touch without overlapping, in Python as in the
    exclusion constraints and `&&` queries."""
    return Range(start, end, bounds="[)")


def ensure_date_range(first: date, last: date, max_days: int) -> None:
    """`first` to `last`, both included, at most `max_days` days; else a `422` saying which."""
    if last < first:
        raise Problem(
            422,
            f"`to` {last} is before `from` {first}; the range includes both dates.",
            title="Invalid request",
        )
    if (last - first).days + 1 > max_days:
        raise Problem(
            422,
            f"The range {first} to {last} spans {(last - first).days + 1} days; ask for at most "
            f"{max_days} days at a time.",
            title="Invalid request",
        )
