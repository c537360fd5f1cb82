"""Per-day capacities of people and units in minutes, less what locked cases already use."""

from __future__ import annotations

from collections import defaultdict

from contracts.vocabulary import StaffRole

from optimizer_service.domain.calendar import Window
from optimizer_service.domain.facts import Facts
from optimizer_service.domain.ledger import Placement


def _in_day(windows: list[Window], start: int, end: int) -> int:
    return sum(max(0, min(b, end) - max(a, start)) for a, b in windows)


def person_day(facts: Facts, person: int, day: int) -> int:
    starts = facts.timeline.day_starts
    available = _in_day(facts.staff_windows[person], starts[day], starts[day + 1])
    return min(available, facts.staff_daily_max[person])


def unit_day(facts: Facts, unit: int, day: int) -> int:
    starts = facts.timeline.day_starts
    return _in_day(facts.unit_windows[unit], starts[day], starts[day + 1])


def locked_usage(facts: Facts, locked: dict[int, Placement]) -> dict[tuple, int]:
    """Minutes locked cases use: ("person", p, day), ("role", role, day), ("unit", type, day)."""
    used: dict[tuple, int] = defaultdict(int)
    for p in locked.values():
        day = facts.timeline.day_of(p.start)
        minutes = p.end - p.start
        for person in (facts.cases[p.case].surgeon, *p.staff):
            used["person", person, day] += minutes
        for person in p.staff:
            for role in facts.staff_roles[person]:
                used["role", role, day] += minutes
        for unit in p.units:
            used["unit", facts.unit_types[unit], day] += minutes
    return used


def role_day(facts: Facts, role: StaffRole, day: int) -> int:
    return sum(
        person_day(facts, s, day) for s, roles in enumerate(facts.staff_roles) if role in roles
    )


def unit_type_day(facts: Facts, unit_type: str, day: int) -> int:
    return sum(unit_day(facts, u, day) for u in facts.units_for(unit_type))
