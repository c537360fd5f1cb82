"""What decides a block change, without I/O: stored rows as domain patterns, clashes, releases."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, TypeVar

from contracts.calendar.blocks import BlockPattern, first_clash, next_occurrence
from contracts.events.resources_blocks import Recurrence, SingleDate, WeeklyRecurrence
from contracts.values import Weekday

T = TypeVar("T")


def recurrence_of(row: Any) -> WeeklyRecurrence | SingleDate:
    """The contract's recurrence of a stored block (a single date has valid_from = valid_to)."""
    if row.recurrence == "date":
        return SingleDate(date=row.valid_from)
    return WeeklyRecurrence(
        weekdays=tuple(row.weekdays), valid_from=row.valid_from, valid_to=row.valid_to
    )


def pattern_of(
    recurrence: Recurrence, start_time: str, end_time: str, released: Iterable[date] = ()
) -> BlockPattern:
    """The domain's pattern of a block as the contract describes it."""
    if isinstance(recurrence, SingleDate):
        return BlockPattern.on_date(recurrence.date, start_time, end_time, released=released)
    return BlockPattern.weekly(
        recurrence.weekdays,
        start_time,
        end_time,
        valid_from=recurrence.valid_from,
        valid_to=recurrence.valid_to,
        released=released,
    )


def stored_pattern(row: Any, released: Iterable[date] = ()) -> BlockPattern:
    return pattern_of(recurrence_of(row), row.start_time, row.end_time, released)


def never_takes_place(pattern: BlockPattern) -> str | None:
    """Why a new or changed block is pointless: none of its validity falls on its weekdays."""
    if next_occurrence(pattern, pattern.valid_from) is not None:
        return None
    weekdays = ", ".join(w.value for w in sorted(pattern.days_of_week, key=list(Weekday).index))
    return (
        f"The block never takes place: no date from {pattern.valid_from} to "
        f"{pattern.valid_to} is a {weekdays} that was not released."
    )


def earliest_clash(
    candidate: BlockPattern, others: Iterable[tuple[T, BlockPattern]]
) -> tuple[T, date] | None:
    """The other block the candidate meets first, and that date; None when it meets none.

    Two blocks meet on a date both take place on (released dates excluded) with overlapping
    clock times; blocks that only touch (08:00-12:00 and 12:00-16:00) do not.
    """
    earliest: tuple[T, date] | None = None
    for other, pattern in others:
        day = first_clash(candidate, pattern)
        if day is not None and (earliest is None or day < earliest[1]):
            earliest = (other, day)
    return earliest


def release_refusal(pattern: BlockPattern, day: date, today: date) -> str | None:
    """Why the occurrence on `day` cannot be given back, or None when it can.

    Whether it was released already is the database's to say (the release's primary key).
    """
    if not pattern.scheduled_on(day):
        return (
            f"The block is not scheduled on {day} (a {Weekday.of(day).value}); only a date "
            "it takes place on can be released."
        )
    if day < today:
        return (
            f"{day} is in the past (today is {today} in the hospital's time zone); only "
            "today's or a later occurrence can be released."
        )
    return None
