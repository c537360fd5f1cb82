"""Half-open spans of UTC time and the set operations on sorted lists of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A stretch of absolute time: `start` inclusive, `end` exclusive, both aware and in UTC.

    Aware datetimes with another offset are converted to UTC, so equal spans look alike.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            moment: datetime = getattr(self, name)
            if moment.tzinfo is None or moment.utcoffset() is None:
                raise ValueError(f"span {name} {moment.isoformat()} has no time zone")
            object.__setattr__(self, name, moment.astimezone(UTC))
        if self.end <= self.start:
            raise ValueError(
                f"span end {self.end.isoformat()} must be after start {self.start.isoformat()}"
            )

    @property
    def minutes(self) -> int:
        """Whole minutes; leftover seconds are dropped."""
        return (self.end - self.start) // _MINUTE


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted spans, overlapping or touching ones joined into one."""
    merged: list[Span] = []
    for span in sorted(spans):
        if merged and span.start <= merged[-1].end:
            if span.end > merged[-1].end:
                merged[-1] = Span(merged[-1].start, span.end)
        else:
            merged.append(span)
    return merged


def subtract(spans: Iterable[Span], holes: Iterable[Span]) -> list[Span]:
    """What of `spans` lies outside every hole, merged and sorted."""
    cuts = merge(holes)
    remaining: list[Span] = []
    first_cut = 0
    for span in merge(spans):
        # A hole may reach over several spans, so only holes ending before this one are passed.
        while first_cut < len(cuts) and cuts[first_cut].end <= span.start:
            first_cut += 1
        start = span.start
        for cut in cuts[first_cut:]:
            if cut.start >= span.end:
                break
            if cut.start > start:
                remaining.append(Span(start, cut.start))
            start = max(start, cut.end)
        if start < span.end:
            remaining.append(Span(start, span.end))
    return remaining


def intersect(a: Iterable[Span], b: Iterable[Span]) -> list[Span]:
    """The time covered by both `a` and `b`, merged and sorted."""
    left, right = merge(a), merge(b)
    common: list[Span] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i].start, right[j].start)
        end = min(left[i].end, right[j].end)
        if start < end:
            common.append(Span(start, end))
        if left[i].end < right[j].end:
            i += 1
        else:
            j += 1
    return common


def clip(spans: Iterable[Span], window: Span) -> list[Span]:
    """The parts of `spans` inside `window`, merged and sorted."""
    return intersect(spans, [window])
