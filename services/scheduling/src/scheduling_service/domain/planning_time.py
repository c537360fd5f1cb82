"""The time an optimization problem may offer: what is open or available, less what is taken.

Bookings outside the problem keep their rooms, people and units; the optimizer is not told
about them as cases, so their time is taken out of what it may use (`contracts.calendar.spans`
does the set arithmetic). A person's daily maximum counts those bookings' minutes too: on a day
they already work, only what is left of the maximum is offered (`within_daily_budget`). That
maximum may differ by date (part days, on-call days: `DailyLimit`); the problem says so where it
differs from their maximum of every day (`maxima_by_date`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span, merge

_MINUTE = timedelta(minutes=1)
_DAY = timedelta(days=1)

DailyLimit = Callable[[date], int | None]
"""A person's most minutes of cases on a local date; `None`: no maximum but their time."""


def every_day(limit: int | None) -> DailyLimit:
    """One maximum for every date."""
    return lambda _: limit


def maxima_by_date(
    first: date, last: date, limit_on: DailyLimit, usual: int | None
) -> dict[date, int]:
    """The maximum of each date from `first` to `last` where it is not the `usual` one."""
    found: dict[date, int] = {}
    day = first
    while day <= last:
        limit = limit_on(day)
        if limit is not None and limit != usual:
            found[day] = limit
        day += _DAY
    return found


def minutes_by_day(spans: Iterable[Span], tz: ZoneInfo) -> dict[date, int]:
    """Minutes per local date of each span's start: how a person's daily maximum counts."""
    found: dict[date, int] = defaultdict(int)
    for span in spans:
        found[span.start.astimezone(tz).date()] += span.minutes
    return dict(found)


def available_minutes(spans: Iterable[Span], tz: ZoneInfo, limit: int | DailyLimit | None) -> int:
    """How many minutes of `spans` a person could work, at most `limit` each local day.

    Unlike a booking, which counts whole on the day it starts, free time is cut at local
    midnights first: a round-the-clock availability over three days is worth three days.
    """
    limit_on = limit if callable(limit) else every_day(limit)
    days: dict[date, int] = defaultdict(int)
    for day, piece in _by_local_day(merge(spans), tz):
        days[day] += piece.minutes
    return sum(_at_most(m, limit_on(day)) for day, m in days.items())


def _at_most(minutes: int, limit: int | None) -> int:
    return minutes if limit is None else min(minutes, limit)


def within_daily_budget(
    available: Iterable[Span],
    used: Mapping[date, int],
    limit: int | DailyLimit | None,
    tz: ZoneInfo,
) -> list[Span]:
    """`available` with, on each local date of `used`, at most that date's limit less `used`
    minutes left (`limit`: one for every date, or one per date).

    The earliest time of such a day is kept: which part is offered matters less than that a
    plan never asks more of anyone than the bookings it cannot see leave them.
    """
    limit_on = limit if callable(limit) else every_day(limit)
    budget = {
        day: most - minutes for day, minutes in used.items() if (most := limit_on(day)) is not None
    }
    if not budget:
        return merge(available)
    kept: list[Span] = []
    for day, piece in _by_local_day(merge(available), tz):
        if day not in budget:
            kept.append(piece)
            continue
        taken = min(piece.minutes, budget[day])
        if taken <= 0:
            continue
        kept.append(Span(piece.start, piece.start + taken * _MINUTE))
        budget[day] -= taken
    return merge(kept)


def long_enough(spans: Iterable[Span], minutes: int) -> list[Span]:
    """The spans lasting at least `minutes`: a shorter one can hold no case needing that long."""
    return [s for s in spans if s.minutes >= minutes]


def reaching_past(spans: Iterable[Span], minutes: int) -> list[Span]:
    """Each span with `minutes` more at its end: a unit used until a room closes is held for
    its turnaround after."""
    return merge(Span(s.start, s.end + minutes * _MINUTE) for s in spans)


def _by_local_day(spans: Iterable[Span], tz: ZoneInfo) -> Iterator[tuple[date, Span]]:
    """Each span cut at local midnights, with the local date of each piece."""
    for span in spans:
        start = span.start
        while start < span.end:
            day = start.astimezone(tz).date()
            midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
            end = min(span.end, midnight)
            yield day, Span(start, end)
            start = end
