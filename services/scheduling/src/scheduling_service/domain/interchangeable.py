"""People and units no plan could tell apart: only as many of them as the cases could use.

Two people of one role offered the same time with the same daily maximum are interchangeable to
the optimizer: nothing it weighs names a person, except a case's surgeon (and blocks, which are
surgeons'). A plan uses at most as many people of a role as the problem's cases need of it in
all, so of each group of interchangeable people any more than that are never needed — they only
slow the solver down (a three-case problem with 900 nurses and anaesthetists of identical shifts
took it 30 s, with 50 a tenth of a second). Keeping that many changes no plan the optimizer could
find. The same holds for units of one kind offered the same time with the same turnaround.
Surgeons, and whoever a booking of the problem names, are always kept.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from typing import TypeVar

from contracts.planning import PlanningEquipmentUnit, PlanningStaffMember
from contracts.vocabulary import StaffRole

T = TypeVar("T")


def people(
    found: Iterable[PlanningStaffMember],
    needed: Mapping[StaffRole, int],
    named: Collection[uuid.UUID],
) -> list[PlanningStaffMember]:
    """`found` with, of each group of interchangeable people, at most as many as the cases need
    of their role in all (`needed`)."""
    return _thinned(
        found,
        group=lambda s: (
            s.roles,
            s.available_intervals,
            s.max_minutes_per_day,
            tuple(s.max_minutes_by_date.items()),
        ),
        most=lambda s: None if StaffRole.SURGEON in s.roles else needed.get(s.roles[0], 0),
        kept=lambda s: s.staff_id in named,
    )


def units(
    found: Iterable[PlanningEquipmentUnit], needed: Mapping[str, int], named: Collection[uuid.UUID]
) -> list[PlanningEquipmentUnit]:
    """`found` with, of each group of interchangeable units, at most as many as the cases need
    of their kind in all (`needed`: one unit per kind a case lists)."""
    return _thinned(
        found,
        group=lambda u: (u.equipment_type, u.available_intervals, u.turnaround_minutes),
        most=lambda u: needed.get(u.equipment_type, 0),
        kept=lambda u: u.unit_id in named,
    )


def _thinned(
    items: Iterable[T],
    *,
    group: Callable[[T], Hashable],
    most: Callable[[T], int | None],
    kept: Callable[[T], bool],
) -> list[T]:
    """`items` in their order, at most `most(item)` of each group (None: all); `kept` ones stay
    besides, without counting."""
    taken: Counter[Hashable] = Counter()
    found = []
    for item in items:
        if kept(item):
            found.append(item)
            continue
        key, limit = group(item), most(item)
        if limit is None or taken[key] < limit:
            taken[key] += 1
            found.append(item)
    return found
