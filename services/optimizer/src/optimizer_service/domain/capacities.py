"""Per-day capacities of people and units in minutes, less what locked cases already take.

Surgery happens inside some room's open time, so a person's or unit's useful minutes on a day
are those its availability shares with the day's open room time, less the time locked cases
keep it busy there; a person's daily maximum less the locked minutes of that day caps them too.
A unit's busy time is each surgery and its turnaround; the last turnaround of a stretch may run
past the stretch's end. Each budget holds at least what any plan can use (a relaxation).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from contracts.vocabulary import StaffRole

from optimizer_service.domain.calendar import Window, merge
from optimizer_service.domain.facts import CaseFacts, Facts
from optimizer_service.domain.ledger import Placement

# ("person", staff index, day), ("role", role, day) or ("unit", equipment type, day)
BudgetKey = tuple[str, int | str, int]
Margins = tuple[int, int]  # the least setup before and cleanup after any surgery counted


def _overlap(windows: Iterable[Window], others: Iterable[Window]) -> int:
    others = list(others)
    return sum(max(0, min(b, d) - max(a, c)) for a, b in windows for c, d in others)


def _shared(windows: list[Window], open_windows: list[Window]) -> list[Window]:
    """The pieces of `windows` inside the open windows."""
    pieces = [(max(a, c), min(b, d)) for a, b in windows for c, d in open_windows]
    return sorted((a, b) for a, b in pieces if b > a)


def open_windows(facts: Facts, day: int, margins: Margins = (0, 0)) -> list[Window]:
    """The day's open room time; with margins, where surgeries (after setup, before cleanup) fit."""
    lead, tail = margins
    merged = merge((s.start, s.end) for s in facts.segments if s.day == day)
    return [(a + lead, b - tail) for a, b in merged if b - tail > a + lead]


class Locked:
    """When locked cases keep each person and unit busy, and each person's locked minutes a day."""

    def __init__(self, facts: Facts, locked: dict[int, Placement]) -> None:
        self.people: dict[int, list[Window]] = defaultdict(list)
        self.units: dict[int, list[Window]] = defaultdict(list)
        self.minutes: dict[tuple[int, int], int] = defaultdict(int)
        for p in locked.values():
            day = facts.timeline.day_of(p.start)
            for person in (facts.cases[p.case].surgeon, *p.staff):
                self.people[person].append((p.start, p.end))
                self.minutes[person, day] += p.end - p.start
            for unit in p.units:
                self.units[unit].append((p.start, p.end + facts.unit_turnaround[unit]))


def person_day(facts: Facts, person: int, day: int, margins: Margins, locked: Locked) -> int:
    shared = _shared(facts.staff_windows[person], open_windows(facts, day, margins))
    free = sum(b - a for a, b in shared) - _overlap(shared, merge(locked.people[person]))
    return max(0, min(free, facts.daily_max(person, day) - locked.minutes[person, day]))


def unit_day(facts: Facts, unit: int, day: int, margins: Margins, locked: Locked) -> int:
    """Surgery plus turnaround minutes a unit can give on a day: its busy time lies within its
    shared stretches, each stretched by one turnaround, and outside its locked busy time."""
    turnaround = facts.unit_turnaround[unit]
    shared = _shared(facts.unit_windows[unit], open_windows(facts, day, margins))
    reach = merge((a, b + turnaround) for a, b in shared)
    free = sum(b - a for a, b in reach) - _overlap(reach, merge(locked.units[unit]))
    return max(0, free)


def type_turnaround(facts: Facts, unit_type: str) -> int:
    return min((facts.unit_turnaround[u] for u in facts.units_for(unit_type)), default=0)


def role_day(facts: Facts, role: StaffRole, day: int, margins: Margins, locked: Locked) -> int:
    return sum(
        person_day(facts, s, day, margins, locked)
        for s, roles in enumerate(facts.staff_roles)
        if role in roles
    )


def unit_type_day(facts: Facts, unit_type: str, day: int, margins: Margins, locked: Locked) -> int:
    return sum(unit_day(facts, u, day, margins, locked) for u in facts.units_for(unit_type))


def budget_keys(case: CaseFacts, day: int) -> list[BudgetKey]:
    """The day budgets a case draws on: its surgeon, its staff roles, its equipment types."""
    keys: list[BudgetKey] = [("person", case.surgeon, day)]
    keys += [("role", role, day) for role, _ in case.roles]
    return keys + [("unit", unit_type, day) for unit_type in case.unit_types]


def minutes_used(facts: Facts, case: CaseFacts, key: BudgetKey) -> int:
    kind, who, _ = key
    if kind == "role":
        return case.duration * dict(case.roles)[StaffRole(str(who))]
    if kind == "unit":
        return case.duration + type_turnaround(facts, str(who))
    return case.duration


def day_budgets(
    facts: Facts, pairs: Iterable[tuple[CaseFacts, int]], locked: dict[int, Placement]
) -> dict[BudgetKey, int]:
    """Minutes left in each budget the (case, day) pairs may draw on, after locked cases."""
    busy = Locked(facts, locked)
    margins: dict[BudgetKey, Margins] = {}
    loads: dict[BudgetKey, list[int]] = defaultdict(list)
    for case, day in {(case.index, day): (case, day) for case, day in pairs}.values():
        for key in budget_keys(case, day):
            lead, tail = margins.get(key, (case.setup, case.case.cleanup_minutes))
            margins[key] = (min(lead, case.setup), min(tail, case.case.cleanup_minutes))
            loads[key].append(minutes_used(facts, case, key))
    return {
        key: fullest(loads[key], _capacity(facts, key, margin, busy))
        for key, margin in margins.items()
    }


def _capacity(facts: Facts, key: BudgetKey, margins: Margins, busy: Locked) -> int:
    kind, who, day = key
    if kind == "person":
        return person_day(facts, int(who), day, margins, busy)
    if kind == "role":
        return role_day(facts, StaffRole(str(who)), day, margins, busy)
    return unit_type_day(facts, str(who), day, margins, busy)


def fullest(loads: list[int], capacity: int) -> int:
    """The largest sum of some of the loads within the capacity (subset sum, as a bit set)."""
    reachable, mask = 1, (1 << (capacity + 1)) - 1
    for load in loads:
        reachable = (reachable | reachable << load) & mask
    return reachable.bit_length() - 1
