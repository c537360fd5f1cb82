"""Who and what is busy when, and first-fit placement of a case into the earliest free slot."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from optimizer_service.domain.calendar import Segment, Window
from optimizer_service.domain.facts import CaseFacts, Facts

NEAR = 4 * 24 * 60  # longer than any case with its turnaround: surgery, room time and unit time
NEVER = 1 << 62


@dataclass(frozen=True, slots=True)
class Placement:
    """A case in a room: `start`-`end` is the surgery proper, in minutes from the origin."""

    case: int
    room: int
    start: int
    end: int
    staff: tuple[int, ...]
    units: tuple[int, ...]


def is_free(busy: list[Window], start: int, end: int) -> bool:
    i = bisect_left(busy, (start, start))
    if i < len(busy) and busy[i][0] < end:
        return False
    return i == 0 or busy[i - 1][1] <= start


def has_gap(busy: list[Window], start: int, end: int, need: int) -> bool:
    """Whether `start`-`end` holds `need` free minutes in a row between the busy spans: a cheap
    test that spares first fit the candidate starts of a full segment. Spans that overlap each
    other can only make it answer yes more often, never wrongly no."""
    i = bisect_right(busy, start, key=lambda w: w[1])
    cursor = start
    while i < len(busy) and busy[i][0] < end:
        if busy[i][0] - cursor >= need:
            return True
        cursor = max(cursor, busy[i][1])
        i += 1
    return end - cursor >= need


def _within(windows: list[Window], start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in windows)


class Ledger:
    """Busy intervals per room, person and unit, and each person's surgery minutes per day."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.rooms: dict[int, list[Window]] = defaultdict(list)
        self.people: dict[int, list[Window]] = defaultdict(list)
        self.units: dict[int, list[Window]] = defaultdict(list)
        self.minutes: dict[tuple[int, int], int] = defaultdict(int)

    def book(self, placement: Placement) -> None:
        case = self.facts.cases[placement.case]
        c = case.case
        start, end = placement.start, placement.end
        insort(self.rooms[placement.room], (start - c.setup_minutes, end + c.cleanup_minutes))
        day = self.facts.timeline.day_of(start)
        for person in (case.surgeon, *placement.staff):
            insort(self.people[person], (start, end))
            self.minutes[person, day] += end - start
        for unit in placement.units:
            insort(self.units[unit], (start, end + self.facts.unit_turnaround[unit]))

    def person_can(self, person: int, start: int, end: int, day: int) -> bool:
        facts = self.facts
        return (
            is_free(self.people[person], start, end)
            and _within(facts.staff_windows[person], start, end)
            and self.minutes[person, day] + end - start <= facts.daily_max(person, day)
        )

    def unit_can(self, unit: int, start: int, end: int) -> bool:
        turnaround = self.facts.unit_turnaround[unit]
        return is_free(self.units[unit], start, end + turnaround) and _within(
            self.facts.unit_windows[unit], start, end
        )

    def try_at(self, case: CaseFacts, room: int, start: int) -> Placement | None:
        c = case.case
        end = start + case.duration
        if not is_free(self.rooms[room], start - c.setup_minutes, end + c.cleanup_minutes):
            return None
        day = self.facts.timeline.day_of(start)
        if not self.person_can(case.surgeon, start, end, day):
            return None
        staff: list[int] = []
        for role, count in case.roles:
            free = [
                s
                for s in self.facts.staff_for(role, case.surgeon)
                if s not in staff and self.person_can(s, start, end, day)
            ]
            if len(free) < count:
                return None
            staff += free[:count]
        units: list[int] = []
        for unit_type in case.unit_types:
            free_units = [
                u for u in self.facts.units_for(unit_type) if self.unit_can(u, start, end)
            ]
            if not free_units:
                return None
            units.append(free_units[0])
        return Placement(case.index, room, start, end, tuple(staff), tuple(units))

    def first_fit(self, case: CaseFacts, segments: Iterable[Segment]) -> Placement | None:
        for segment in segments:
            if not has_gap(self.rooms[segment.room], segment.start, segment.end, case.occupied):
                continue
            for start in self._starts(case, segment):
                placement = self.try_at(case, segment.room, start)
                if placement is not None:
                    return placement
        return None

    def _starts(self, case: CaseFacts, segment: Segment) -> list[int]:
        c = case.case
        low, high = segment.start + c.setup_minutes, segment.end - c.cleanup_minutes - case.duration
        if high < low:
            return []
        points = {low}
        points |= {b + c.setup_minutes for _, b in _near(self.rooms[segment.room], low, high)}
        people = [case.surgeon] + [
            s for r, _ in case.roles for s in self.facts.staff_for(r, case.surgeon)
        ]
        for person in people:
            points.update(b for _, b in _near(self.people[person], low, high))
            points.update(a for a, _ in _near(self.facts.staff_windows[person], low, high))
        for unit_type in case.unit_types:
            for unit in self.facts.units_for(unit_type):
                points.update(b for _, b in _near(self.units[unit], low, high))
                points.update(a for a, _ in _near(self.facts.unit_windows[unit], low, high))
        return sorted(p for p in points if low <= p <= high)


def _near(spans: list[Window], low: int, high: int) -> list[Window]:
    """The sorted spans that start from `NEAR` before `low` to `high`: the only ones that may
    start or (busy spans, which never overlap) end within low..high. A busy span longer than
    `NEAR` (a locked booking of days) only loses the greedy a candidate start, never a rule."""
    i = bisect_left(spans, (low - NEAR,))
    j = bisect_right(spans, (high, NEVER))
    return spans[i:j]
