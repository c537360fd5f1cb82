"""Value types shared by events and the planning problem: text, minutes, clock times, windows."""

from __future__ import annotations

import re
import zoneinfo
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from enum import Enum, StrEnum
from itertools import pairwise
from typing import Annotated, Any, Self, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

T = TypeVar("T")
_Dated = TypeVar("_Dated", date, datetime)


class Value(BaseModel):
    """Base of every nested contract model: immutable, and strict about unknown fields when built.

    Consumers parse with `extra="ignore"` (see `contracts.registry`), so producers that gained an
    optional field do not break them.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def _distinct(values: Sequence[Any]) -> tuple[Any, ...]:
    # Sets travel as sorted arrays: the same set always serializes to the same bytes.
    return tuple(sorted(set(values), key=_natural_order))


def _natural_order(value: Any) -> Any:
    # Enum members keep their declared order (monday before friday), the rest sort by value.
    return list(type(value)).index(value) if isinstance(value, Enum) else value


Distinct = Annotated[
    tuple[T, ...], AfterValidator(_distinct), Field(json_schema_extra={"uniqueItems": True})
]
"""A set of values, carried as a sorted array without duplicates."""


def _no_repeats(values: Sequence[Any]) -> Sequence[Any]:
    if len(set(values)) != len(values):
        raise ValueError("must not name a value twice")
    return values


DistinctRequest = Annotated[
    tuple[T, ...],
    AfterValidator(_no_repeats),
    AfterValidator(_distinct),
    Field(json_schema_extra={"uniqueItems": True}),
]
"""A set a client sends: a value named twice is refused, as `uniqueItems` says; then `Distinct`."""


def _storable(text: str) -> str:
    # PostgreSQL text cannot hold NUL; refusing it here names the field instead of failing later.
    if "\x00" in text:
        raise ValueError("must not contain a NUL character")
    return text


Storable = AfterValidator(_storable)
Text = Annotated[str, Storable]
"""Free text a person typed: any characters but NUL."""

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Storable
]
Note = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000), Storable
]
Term = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$", min_length=1, max_length=63)
]
"""A lower_snake_case word from an open-ended vocabulary (capabilities, reason codes, ...).

Open-ended on purpose: a consumer must not break when a producer starts using a new term.
"""

Version = Annotated[int, Field(ge=1, description="Increases with every change of the entity.")]
Minutes = Annotated[int, Field(ge=0, le=24 * 60)]
PositiveMinutes = Annotated[int, Field(gt=0, le=24 * 60)]


def _known_time_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA time zone {name!r}") from None
    return name


TimeZoneName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    AfterValidator(_known_time_zone),
    Field(description="IANA time zone name.", examples=["Europe/Amsterdam"]),
]


def _to_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""An aware datetime, normalized to UTC whatever offset it arrived with."""

ClockTime = Annotated[
    str,
    StringConstraints(pattern=r"^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$"),
    Field(description="Local wall-clock time HH:MM; 24:00 is the end of the day."),
]


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @classmethod
    def of(cls, day: date) -> Weekday:
        """The weekday of a date or datetime."""
        return _WEEKDAYS[day.weekday()]


# In Monday-first order, as `date.weekday()` counts; calendars ask for it thousands of times.
_WEEKDAYS: tuple[Weekday, ...] = tuple(Weekday)


class LocalTimeRange(Value):
    """Local wall-clock times within one day; a span past midnight is two ranges."""

    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        return self


def _sorted_without_overlap(ranges: tuple[LocalTimeRange, ...]) -> tuple[LocalTimeRange, ...]:
    ordered = tuple(sorted(ranges, key=lambda r: r.start))
    for before, after in pairwise(ordered):
        if after.start < before.end:
            raise ValueError(
                f"ranges {before.start}-{before.end} and {after.start}-{after.end} overlap"
            )
    return ordered


DayRanges = Annotated[
    tuple[LocalTimeRange, ...], Field(max_length=24), AfterValidator(_sorted_without_overlap)
]


class WeeklyHours(Value):
    """Open (or working) ranges of local time per weekday; a missing day is closed."""

    monday: DayRanges = ()
    tuesday: DayRanges = ()
    wednesday: DayRanges = ()
    thursday: DayRanges = ()
    friday: DayRanges = ()
    saturday: DayRanges = ()
    sunday: DayRanges = ()

    def on(self, weekday: Weekday) -> tuple[LocalTimeRange, ...]:
        ranges: DayRanges = getattr(self, weekday.value)
        return ranges


class TimeWindow(Value):
    """A span of absolute time, `start` inclusive, `end` exclusive."""

    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        ensure_end_after_start(self.start, self.end)
        return self


class UtcWindow(TimeWindow):
    """A span of absolute time in UTC, `start` inclusive, `end` exclusive."""

    start: UtcDatetime
    end: UtcDatetime


# The years a schedule, a calendar or a request may speak of: far wider than any hospital plans,
# narrow enough that date arithmetic and PostgreSQL's timestamps never overflow.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def _within_schedule_years(moment: _Dated) -> _Dated:
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"must be within the years {FIRST_YEAR} to {LAST_YEAR}")
    return moment


# The same years as the API's JSON Schema says them, so that a client (or a fuzzer) knows them
# before it asks; and only as ISO 8601 text, where pydantic would also read a number as a Unix
# timestamp ("0.5" is not a date anyone meant).
_YEAR = r"(19\d\d|2[01]\d\d)"
_DAY = _YEAR + r"-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
SCHEDULE_DATE_PATTERN = rf"^{_DAY}$"
# RFC 3339's date-time (what JSON Schema's format means): seconds, and an offset with its colon.
_CLOCK = r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?"
_OFFSET = r"([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)"
SCHEDULE_DATETIME_PATTERN = rf"^{_DAY}[Tt]{_CLOCK}{_OFFSET}$"


def _iso_text(pattern: str, spelling: str) -> BeforeValidator:
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, str | bytes) and not compiled.match(
            value if isinstance(value, str) else value.decode(errors="replace")
        ):
            raise ValueError(f"must be {spelling} within the years {FIRST_YEAR} to {LAST_YEAR}")
        if isinstance(value, int | float):
            raise ValueError("must be ISO 8601 text, not a number")
        return value

    return BeforeValidator(check)


ScheduleDate = Annotated[
    date,
    _iso_text(SCHEDULE_DATE_PATTERN, "an ISO 8601 date (2027-03-01)"),
    AfterValidator(_within_schedule_years),
    WithJsonSchema({"type": "string", "format": "date", "pattern": SCHEDULE_DATE_PATTERN}),
]
"""A date within the years the platform plans for."""

ScheduleDatetime = Annotated[
    AwareDatetime,
    _iso_text(
        SCHEDULE_DATETIME_PATTERN,
        "an ISO 8601 date-time with seconds and a timezone offset (2027-03-01T08:00:00+01:00)",
    ),
    AfterValidator(_within_schedule_years),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": SCHEDULE_DATETIME_PATTERN}),
]
"""An aware datetime within the years the platform plans for."""


def ensure_end_after_start(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValueError(f"end {end.isoformat()} must be after start {start.isoformat()}")


def ensure_due_on_or_after_earliest(earliest: date | None, due: date | None) -> None:
    """A case is due no sooner than it may first be done, when both dates are known."""
    if earliest and due and due < earliest:
        raise ValueError(f"due_date {due} is before earliest_date {earliest}")


def repeated_ids(ids: Iterable[Any], what: str) -> list[str]:
    """One message per id that occurs more than once."""
    counts = Counter(ids)
    return [f"{what} {i} occurs more than once" for i in sorted(counts, key=str) if counts[i] > 1]
