"""Local wall-clock rules (weekly hours, clock times on dates) turned into UTC spans.

Daylight saving time is handled by one rule everywhere, that of Python's `fold=0`:

- a local time that does not exist (in the spring-forward gap) moves forward by the length of
  the gap: 02:30 on the day Europe/Amsterdam springs forward is 03:30 CEST, 01:30Z;
- a local time that occurs twice (fall-back) means its first occurrence, still on summer time.

So a local day lasts 23 hours on the spring-forward day and 25 hours on the fall-back day.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span, merge
from contracts.values import Weekday, WeeklyHours

_CLOCK = re.compile(r"^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$")
_DAY_MINUTES = 24 * 60


def clock_minutes(clock: str) -> int:
    """Minutes after local midnight of a clock time "HH:MM" (0 to 1440; "24:00" is 1440)."""
    if not _CLOCK.match(clock):
        raise ValueError(f"clock time {clock!r} is not HH:MM between 00:00 and 24:00")
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def local_moment(day: date, clock: str, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock `clock` on local date `day`; "24:00" is the next 00:00.

    A time in the spring-forward gap moves forward by the gap (02:30 becomes 03:30 summer time);
    a time that occurs twice at fall-back is its first occurrence (`fold=0`).
    """
    days, minutes = divmod(clock_minutes(clock), _DAY_MINUTES)
    wall = datetime.combine(day + timedelta(days=days), time(*divmod(minutes, 60)), tzinfo=tz)
    return wall.astimezone(UTC)


def local_span(day: date, start: str, end: str, tz: ZoneInfo) -> Span | None:
    """The UTC span of local clock times `start` to `end` on `day`.

    None when the range lies wholly in a spring-forward gap (such as 02:15 to 03:00): moved
    forward, its start would no longer come before its end.
    """
    utc_start, utc_end = local_moment(day, start, tz), local_moment(day, end, tz)
    return Span(utc_start, utc_end) if utc_start < utc_end else None


def days(first: date, last: date) -> Iterator[date]:
    """Each date from `first` to `last`, both included."""
    _check_range(first, last)
    return (first + timedelta(days=n) for n in range((last - first).days + 1))


def range_span(first: date, last: date, tz: ZoneInfo) -> Span:
    """From local midnight starting `first` to local midnight ending `last`, in UTC."""
    _check_range(first, last)
    return Span(local_moment(first, "00:00", tz), local_moment(last, "24:00", tz))


def weekly_spans(hours: WeeklyHours, tz: ZoneInfo, first: date, last: date) -> list[Span]:
    """The UTC spans of weekly local hours on the local dates `first` to `last`, merged.

    Merged, so Monday 20:00-24:00 and Tuesday 00:00-06:00 make one overnight span.
    """
    found = []
    for day in days(first, last):
        for hours_range in hours.on(Weekday.of(day)):
            span = local_span(day, hours_range.start, hours_range.end, tz)
            if span is not None:
                found.append(span)
    return merge(found)


def _check_range(first: date, last: date) -> None:
    if last < first:
        raise ValueError(f"last date {last.isoformat()} is before first {first.isoformat()}")
