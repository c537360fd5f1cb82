"""How the demo seed fills block time: cases packed one after another, people and units picked.

A plain first-fit ledger over the demo hospital, no I/O: what a coordinator would do by hand
for a week of lists. `booking.place` still judges every placement it produces.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from contracts.calendar.spans import Span
from contracts.events.scheduling_surgeries import StaffAssignment
from contracts.vocabulary import StaffRole


@dataclass(frozen=True, slots=True)
class Person:
    staff_id: uuid.UUID
    role: str
    available: tuple[Span, ...]
    max_minutes_per_day: int | None


@dataclass(frozen=True, slots=True)
class Unit:
    unit_id: uuid.UUID
    equipment_type: str
    turnaround: timedelta
    fixed_room_id: uuid.UUID | None
    available: tuple[Span, ...]


@dataclass
class Ledger:
    """What the seed has already handed out: people's and units' busy time, minutes per day."""

    people: Sequence[Person]
    units: Sequence[Unit]
    busy: dict[uuid.UUID, list[Span]] = field(default_factory=lambda: defaultdict(list))
    minutes: dict[tuple[uuid.UUID, date], int] = field(default_factory=lambda: defaultdict(int))

    def staff_for(
        self, needs: Iterable[tuple[str, int]], surgery: Span, day: date
    ) -> tuple[StaffAssignment, ...] | None:
        """The first free people for each role needed, or None when a role runs out."""
        chosen: list[StaffAssignment] = []
        for role, count in needs:
            free = [p for p in self.people if p.role == role and self._person_free(p, surgery, day)]
            if len(free) < count:
                return None
            chosen += [
                StaffAssignment(staff_id=p.staff_id, role=StaffRole(role)) for p in free[:count]
            ]
        return tuple(chosen)

    def units_for(
        self, types: Iterable[str], surgery: Span, room_id: uuid.UUID
    ) -> tuple[uuid.UUID, ...] | None:
        chosen = []
        for kind in types:
            free = [
                u
                for u in self.units
                if u.equipment_type == kind
                and u.fixed_room_id in (None, room_id)
                and self._unit_free(u, surgery)
            ]
            if not free:
                return None
            chosen.append(free[0].unit_id)
        return tuple(chosen)

    def hold(
        self,
        surgeon_id: uuid.UUID,
        staff: Iterable[StaffAssignment],
        unit_ids: Iterable[uuid.UUID],
        surgery: Span,
        day: date,
    ) -> None:
        for person in (surgeon_id, *(a.staff_id for a in staff)):
            self.busy[person].append(surgery)
            self.minutes[person, day] += surgery.minutes
        for unit in self.units:
            if unit.unit_id in set(unit_ids):
                self.busy[unit.unit_id].append(Span(surgery.start, surgery.end + unit.turnaround))

    def surgeon_free(self, surgeon: Person, surgery: Span, day: date) -> bool:
        return self._person_free(surgeon, surgery, day)

    def _person_free(self, person: Person, surgery: Span, day: date) -> bool:
        limit = person.max_minutes_per_day
        return (
            _inside(surgery, person.available)
            and not _overlaps(surgery, self.busy[person.staff_id])
            and (limit is None or self.minutes[person.staff_id, day] + surgery.minutes <= limit)
        )

    def _unit_free(self, unit: Unit, surgery: Span) -> bool:
        held = Span(surgery.start, surgery.end + unit.turnaround)
        return _inside(held, unit.available) and not _overlaps(held, self.busy[unit.unit_id])


def _inside(span: Span, spans: Iterable[Span]) -> bool:
    return any(s.start <= span.start and span.end <= s.end for s in spans)


def _overlaps(span: Span, spans: Iterable[Span]) -> bool:
    return any(s.start < span.end and span.start < s.end for s in spans)


def slot(start: datetime, minutes: int, setup: int, cleanup: int) -> tuple[Span, Span]:
    """The surgery and the room's held span of a case whose setup begins at `start`."""
    surgery_start = start + timedelta(minutes=setup)
    surgery = Span(surgery_start, surgery_start + timedelta(minutes=minutes))
    return surgery, Span(start, surgery.end + timedelta(minutes=cleanup))
