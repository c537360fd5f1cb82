"""The horizon in whole minutes from its first local midnight: days, windows and room segments.

Rooms' open time is cut into segments: stretches of one local day with the same set of block
owners. A case lies entirely within one segment, which is either unblocked or owned by its
surgeon or its service (when blocks are respected).
"""

from __future__ import annotations

import itertools
import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from contracts.planning import Horizon, PlanningBlock, PlanningRoom

Window = tuple[int, int]
Owner = tuple[str, object]
Span = tuple[float, float, Owner]  # a block's exact minutes and its owner


class Timed(Protocol):
    """Anything with a UTC start and end: a window of availability, a block."""

    @property
    def start(self) -> datetime: ...

    @property
    def end(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class Timeline:
    """Minutes from the horizon's first local midnight, and where each local day begins."""

    origin: datetime
    day_starts: tuple[int, ...]  # one more than there are days: the last is the horizon's end
    first_date: date

    @classmethod
    def of(cls, horizon: Horizon) -> Timeline:
        zone = ZoneInfo(horizon.timezone)
        days = (horizon.end_date - horizon.start_date).days + 1
        midnights = [
            datetime.combine(horizon.start_date + timedelta(days=d), time(), zone).astimezone(UTC)
            for d in range(days + 1)
        ]
        origin = midnights[0]
        starts = tuple(int((m - origin).total_seconds() // 60) for m in midnights)
        return cls(origin=origin, day_starts=starts, first_date=horizon.start_date)

    @property
    def days(self) -> int:
        return len(self.day_starts) - 1

    @property
    def end(self) -> int:
        return self.day_starts[-1]

    def minute(self, moment: datetime, *, round_up: bool = False) -> int:
        seconds = (moment - self.origin).total_seconds() / 60
        return math.ceil(seconds) if round_up else math.floor(seconds)

    def exact(self, moment: datetime) -> float:
        """Minutes from the origin, seconds included."""
        return (moment - self.origin).total_seconds() / 60

    def moment(self, minute: int) -> datetime:
        return self.origin + timedelta(minutes=minute)

    def day_of(self, minute: int) -> int:
        """The day index holding a minute; -1 before the horizon, `days` after it."""
        if minute < 0:
            return -1
        for day in range(self.days):
            if minute < self.day_starts[day + 1]:
                return day
        return self.days

    def day_index(self, local_date: date) -> int:
        return (local_date - self.first_date).days

    def date_of(self, day: int) -> date:
        return self.first_date + timedelta(days=day)

    def windows(self, spans: Iterable[Timed]) -> list[Window]:
        """UTC windows as whole minutes inside the horizon, merged and sorted."""
        cut = [
            (max(self.minute(s.start, round_up=True), 0), min(self.minute(s.end), self.end))
            for s in spans
        ]
        return merge([w for w in cut if w[1] > w[0]])

    def by_day(self, windows: Sequence[Window]) -> list[tuple[int, Window]]:
        """Windows split at local midnights, each with its day index."""
        pieces = []
        for start, end in windows:
            for day in range(self.days):
                a, b = max(start, self.day_starts[day]), min(end, self.day_starts[day + 1])
                if b > a:
                    pieces.append((day, (a, b)))
        return pieces


@dataclass(frozen=True, slots=True)
class Segment:
    room: int
    day: int
    start: int
    end: int
    owners: frozenset[Owner]

    @property
    def length(self) -> int:
        return self.end - self.start


def merge(windows: Iterable[Window]) -> list[Window]:
    merged: list[list[int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def block_owner(block: PlanningBlock) -> Owner:
    if block.surgeon_id is not None:
        return ("surgeon", block.surgeon_id)
    return ("service", block.service)


def case_owners(surgeon_id: uuid.UUID, specialty: str | None) -> frozenset[Owner]:
    owners: set[Owner] = {("surgeon", surgeon_id)}
    if specialty is not None:
        owners.add(("service", specialty))
    return frozenset(owners)


NOBODY: Owner = ("nobody", None)  # blocked time no block holds whole: nobody's case fits


def room_segments(
    timeline: Timeline,
    room_index: int,
    room: PlanningRoom,
    blocks: Sequence[PlanningBlock],
    *,
    split_by_blocks: bool,
) -> list[Segment]:
    """A room's open time per day, cut where the set of block owners changes (if asked to).

    Blocks need not start or end on a whole minute: the minute a block boundary falls inside
    is a segment of its own that belongs only to owners whose blocks hold all of it, so a case
    is never half in a block and half outside it."""
    spans = [(timeline.exact(b.start), timeline.exact(b.end), block_owner(b)) for b in blocks]
    segments: list[Segment] = []
    for day, (start, end) in timeline.by_day(timeline.windows(room.open_intervals)):
        cuts = {start, end}
        if split_by_blocks:
            edges = [t for a, b, _ in spans for t in (a, b) if start < t < end]
            cuts |= {math.floor(t) for t in edges} | {math.ceil(t) for t in edges}
        for a, b in itertools.pairwise(sorted(cuts)):
            owners = _owners(spans, a, b) if split_by_blocks else _touching(spans, a, b)
            last = segments[-1] if segments else None
            if last and last.day == day and last.end == a and last.owners == owners:
                segments[-1] = Segment(room_index, day, last.start, b, owners)
            else:
                segments.append(Segment(room_index, day, a, b, owners))
    return segments


def _touching(spans: list[Span], a: int, b: int) -> frozenset[Owner]:
    return frozenset(o for s, e, o in spans if s < b and e > a)


def _owners(spans: list[Span], a: int, b: int) -> frozenset[Owner]:
    """Unblocked (empty), or the owners whose blocks together hold all of a..b."""
    touching = _touching(spans, a, b)
    if not touching:
        return touching
    holding = frozenset(
        o for o in touching if _holds([(s, e) for s, e, w in spans if w == o], a, b)
    )
    return holding or frozenset({NOBODY})


def _holds(spans: list[tuple[float, float]], a: int, b: int) -> bool:
    reach: float = a
    for s, e in sorted(spans):
        if s > reach:
            break
        reach = max(reach, e)
    return reach >= b
