"""When rooms, staff and equipment units are effectively open: weekly rules minus exceptions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span, clip, merge, subtract
from contracts.calendar.wallclock import local_moment, range_span, weekly_spans
from contracts.values import WeeklyHours

CLOSURE = "closure"
EXTENDED_HOURS = "extended_hours"
MAINTENANCE = "maintenance"
EXCEPTION_KINDS = frozenset({CLOSURE, EXTENDED_HOURS, MAINTENANCE})

ROOM_STATUSES = frozenset({"active", "maintenance", "retired"})
UNIT_STATUSES = frozenset({"available", "in_maintenance", "retired"})

_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class HoursException:
    """A dated change to a room's weekly hours: a closure, extra hours or maintenance."""

    kind: str
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.kind not in EXCEPTION_KINDS:
            raise ValueError(f"unknown exception kind {self.kind!r}")
        Span(self.start, self.end)  # raises early, where the bad exception is made

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


def room_open_spans(
    weekly_hours: WeeklyHours,
    exceptions: Iterable[HoursException],
    *,
    status: str,
    tz: ZoneInfo,
    first: date,
    last: date,
) -> list[Span]:
    """A room's open time on the local dates `first` to `last`, in UTC.

    Weekly hours plus extended hours, minus closures and maintenance: a closure wins over extra
    hours it overlaps. A room in maintenance or retired is never open.
    """
    _check_status(status, ROOM_STATUSES, "room")
    window = range_span(first, last, tz)
    if status != "active":
        return []
    exceptions = list(exceptions)
    added = [e.span for e in exceptions if e.kind == EXTENDED_HOURS]
    removed = [e.span for e in exceptions if e.kind != EXTENDED_HOURS]
    opened = weekly_spans(weekly_hours, tz, first, last) + added
    return clip(subtract(opened, removed), window)


def staff_available_spans(
    working_pattern: WeeklyHours,
    absences: Iterable[Span],
    *,
    active: bool,
    tz: ZoneInfo,
    first: date,
    last: date,
) -> list[Span]:
    """A staff member's working time on the local dates `first` to `last` outside absences."""
    window = range_span(first, last, tz)
    if not active:
        return []
    return clip(subtract(weekly_spans(working_pattern, tz, first, last), absences), window)


def unit_available_spans(maintenance: Iterable[Span], *, status: str, window: Span) -> list[Span]:
    """An equipment unit's usable time within `window`: all of it outside maintenance windows.

    A unit in maintenance or retired is never available, whatever its windows say.
    """
    _check_status(status, UNIT_STATUSES, "equipment unit")
    if status != "available":
        return []
    return subtract([window], maintenance)


def daily_open_minutes(spans: Iterable[Span], tz: ZoneInfo) -> dict[date, int]:
    """Whole minutes of `spans` on each local date, a span over local midnight counted on both.

    Dates without any open time are left out.
    """
    per_day: defaultdict[date, timedelta] = defaultdict(timedelta)
    for span in merge(spans):
        start = span.start
        while start < span.end:
            day = start.astimezone(tz).date()
            piece_end = min(span.end, local_moment(day, "24:00", tz))
            per_day[day] += piece_end - start
            start = piece_end
    return {day: total // _MINUTE for day, total in sorted(per_day.items())}


def _check_status(status: str, known: frozenset[str], what: str) -> None:
    # A status outside the tables' vocabulary is a bug upstream, not a closed resource.
    if status not in known:
        raise ValueError(f"unknown {what} status {status!r}")
