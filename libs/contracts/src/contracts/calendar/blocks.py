"""Block patterns (weekly or single-date reservations of a room): occurrences and clashes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span
from contracts.calendar.wallclock import clock_minutes, days, local_span
from contracts.values import Weekday

_WEEK = 7


@dataclass(frozen=True, slots=True)
class BlockPattern:
    """When a block recurs: on weekdays within a validity, or on one date; minus released dates.

    A single-date block has no weekdays and `valid_from == valid_to == single_date`. Clock times
    are local "HH:MM"; the end may be "24:00" and comes after the start.
    """

    weekdays: frozenset[Weekday]
    valid_from: date
    valid_to: date | None
    single_date: date | None
    start_time: str
    end_time: str
    released: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        # Callers may pass weekday names straight from storage; members compare and sort alike.
        object.__setattr__(self, "weekdays", frozenset(Weekday(w) for w in self.weekdays))
        object.__setattr__(self, "released", frozenset(self.released))
        if bool(self.weekdays) == (self.single_date is not None):
            raise ValueError("a block has either weekdays or a single date, not both or neither")
        if self.single_date is not None and not (
            self.valid_from == self.single_date == self.valid_to
        ):
            raise ValueError("a single-date block is valid from and to its date only")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(
                f"valid_to {self.valid_to.isoformat()} is before valid_from "
                f"{self.valid_from.isoformat()}"
            )
        if clock_minutes(self.end_time) <= clock_minutes(self.start_time):
            raise ValueError(f"end {self.end_time} must be after start {self.start_time}")

    @classmethod
    def weekly(
        cls,
        weekdays: Iterable[Weekday | str],
        start_time: str,
        end_time: str,
        *,
        valid_from: date,
        valid_to: date | None = None,
        released: Iterable[date] = (),
    ) -> BlockPattern:
        return cls(
            weekdays=frozenset(Weekday(w) for w in weekdays),
            valid_from=valid_from,
            valid_to=valid_to,
            single_date=None,
            start_time=start_time,
            end_time=end_time,
            released=frozenset(released),
        )

    @classmethod
    def on_date(
        cls, day: date, start_time: str, end_time: str, *, released: Iterable[date] = ()
    ) -> BlockPattern:
        return cls(
            weekdays=frozenset(),
            valid_from=day,
            valid_to=day,
            single_date=day,
            start_time=start_time,
            end_time=end_time,
            released=frozenset(released),
        )

    @property
    def days_of_week(self) -> frozenset[Weekday]:
        """The weekdays it can fall on; for a single-date block, that date's weekday."""
        if self.single_date is not None:
            return frozenset({Weekday.of(self.single_date)})
        return self.weekdays

    def scheduled_on(self, day: date) -> bool:
        """Whether the pattern falls on `day`, released or not (a release must name such a day)."""
        if day < self.valid_from or (self.valid_to is not None and day > self.valid_to):
            return False
        return Weekday.of(day) in self.days_of_week

    def occurs_on(self, day: date) -> bool:
        """Whether the block takes place on `day`: scheduled and not released."""
        return day not in self.released and self.scheduled_on(day)


def occurrences(
    pattern: BlockPattern, tz: ZoneInfo, first: date, last: date
) -> list[tuple[date, Span]]:
    """Each local date from `first` to `last` the block takes place on, with its UTC span.

    A date whose block time lies wholly in a spring-forward gap has no span and is left out.
    """
    found = []
    for day in days(first, last):
        if pattern.occurs_on(day):
            span = local_span(day, pattern.start_time, pattern.end_time, tz)
            if span is not None:
                found.append((day, span))
    return found


def first_clash(a: BlockPattern, b: BlockPattern) -> date | None:
    """The first date both blocks take place on with overlapping clock times, else None.

    Touching times (10:00-12:00 and 12:00-14:00) do not clash.
    """
    if not _times_overlap(a, b) or not a.days_of_week & b.days_of_week:
        return None
    start = max(a.valid_from, b.valid_from)
    # Released dates hide at most that many common dates, so if none of the common dates in
    # the weeks after `start` clashes, no later one does either: searching further is pointless.
    end = start + timedelta(days=_WEEK * (len(a.released) + len(b.released) + 2))
    end = min([end, *(v for v in (a.valid_to, b.valid_to) if v is not None)])
    return next((d for d in _dates(start, end) if a.occurs_on(d) and b.occurs_on(d)), None)


def next_occurrence(pattern: BlockPattern, on_or_after: date) -> date | None:
    """The first date from `on_or_after` on which the block takes place, if any."""
    start = max(on_or_after, pattern.valid_from)
    end = start + timedelta(days=_WEEK * (len(pattern.released) + 2))
    if pattern.valid_to is not None:
        end = min(end, pattern.valid_to)
    return next((d for d in _dates(start, end) if pattern.occurs_on(d)), None)


def _times_overlap(a: BlockPattern, b: BlockPattern) -> bool:
    a_start, a_end = clock_minutes(a.start_time), clock_minutes(a.end_time)
    b_start, b_end = clock_minutes(b.start_time), clock_minutes(b.end_time)
    return a_start < b_end and b_start < a_end


def _dates(start: date, end: date) -> Iterator[date]:
    # Empty rather than an error when the range is inverted: validities that do not meet.
    return days(start, end) if start <= end else iter(())
