"""The waiting cases an optimization plans when none are named: what the chosen rooms could take.

A case is eligible when at least one chosen room could take it: the room has every capability
the case requires and, when blocks are respected, time the case may use — time outside every
block (the optimizer lets any case use it) or a block of the case's surgeon or service. The
eligible cases are taken most urgent first (priority, then due date, undated last, then the
oldest request), up to `HOLD_FACTOR` times what the rooms' free minutes could hold (room time:
setup, surgery and cleanup; a minute counts while a surgeon of the waiting cases works) and at
most `MOST_CASES`: enough choice for a good plan, not the whole hospital's waiting list.

Each surgeon's cases are capped the same way by the surgeon's own time: their working minutes
in the horizon while a chosen room is free, within their daily maximum.

The booked cases the problem re-plans (`booked`: in the chosen rooms, not locked) are in the
problem whatever is chosen, so their time counts as free and they are taken first: the mandatory
ones must be placed again, the elective ones may give way to more urgent waiting cases.

The optimizer must place every mandatory case (emergency, urgent, past due) or fail. So the
mandatory cases are taken only while, together, the rooms' free minutes could hold them and
their surgeon's minutes could operate them; any more are kept out before solving
(`beyond_capacity`), and said so, instead of making the whole problem infeasible. A mandatory
case no chosen room could take, or whose surgeon has no time, is never planned either: it is
named in `unplaceable` with why (also `no_capacity` when no room that could take it has any
free time), so that no mandatory case goes unmentioned.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from contracts.vocabulary import SurgeryPriority

from scheduling_service.domain.waiting_list import PRIORITY_RANK

HOLD_FACTOR = 3
MOST_CASES = 500

# Why a mandatory waiting case was not chosen; the terms are the plan's unscheduled reasons.
NO_CAPABLE_ROOM = "no_capable_room"
NOT_IN_BLOCK = "not_in_block"
NO_SURGEON_TIME = "no_staff"
NO_CAPACITY = "no_capacity"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A waiting case, as far as choosing it goes."""

    case_id: uuid.UUID
    surgeon_id: uuid.UUID
    specialty: str | None
    priority: str
    due_date: date | None
    created_at: datetime
    surgery_minutes: int  # what it holds its surgeon for
    room_minutes: int  # setup, surgery and cleanup: what it holds a room for
    required_capabilities: frozenset[str]

    def mandatory(self, first: date) -> bool:
        """As the optimizer judges it: not elective, or due before the horizon starts."""
        past_due = self.due_date is not None and self.due_date < first
        return self.priority != SurgeryPriority.ELECTIVE or past_due

    def order(self) -> tuple[int, bool, date, datetime, str]:
        return (
            PRIORITY_RANK[self.priority],
            self.due_date is None,
            self.due_date or date.max,
            self.created_at,
            str(self.case_id),
        )


@dataclass(frozen=True, slots=True)
class RoomOffer:
    """A chosen room over the horizon: what it has, how much is free, and whose blocks it holds."""

    room_id: uuid.UUID
    capabilities: frozenset[str]
    free_minutes: int
    unblocked: bool  # some open time lies outside every block
    block_surgeons: frozenset[uuid.UUID] = frozenset()
    block_services: frozenset[str] = frozenset()

    def takes(self, case: Candidate, *, respect_blocks: bool) -> bool:
        return self.capable(case) and self.open_to(case, respect_blocks=respect_blocks)

    def capable(self, case: Candidate) -> bool:
        return case.required_capabilities <= self.capabilities

    def open_to(self, case: Candidate, *, respect_blocks: bool) -> bool:
        if not respect_blocks or self.unblocked:
            return True
        return case.surgeon_id in self.block_surgeons or case.specialty in self.block_services


@dataclass(frozen=True, slots=True)
class Choice:
    case_ids: tuple[uuid.UUID, ...]
    beyond_capacity: tuple[uuid.UUID, ...]
    eligible: int
    capacity_minutes: int
    # Mandatory cases no chosen room could take or whose surgeon has no time, with why.
    unplaceable: tuple[tuple[uuid.UUID, str], ...] = ()
    surgeon_without_time: int = 0

    def summary(self) -> dict[str, int]:
        """How the default was chosen, as the optimization's options show it."""
        return {
            "eligible": self.eligible,
            "chosen": len(self.case_ids),
            "beyond_capacity": len(self.beyond_capacity),
            "free_room_minutes": self.capacity_minutes,
            "room_minutes_limit": HOLD_FACTOR * self.capacity_minutes,
            "cases_limit": MOST_CASES,
            "surgeon_without_time": self.surgeon_without_time,
            "unplaceable": len(self.unplaceable),
        }


@dataclass
class _Load:
    """Room minutes in all, and surgery minutes per surgeon, of the cases taken so far."""

    room: int = 0
    surgeons: Counter[uuid.UUID] = field(default_factory=Counter)

    def fits(self, case: Candidate, room: int, surgeons: Mapping[uuid.UUID, int]) -> bool:
        return self.room + case.room_minutes <= room and self.surgeons[
            case.surgeon_id
        ] + case.surgery_minutes <= surgeons.get(case.surgeon_id, 0)

    def add(self, case: Candidate) -> None:
        self.room += case.room_minutes
        self.surgeons[case.surgeon_id] += case.surgery_minutes


def choose(
    candidates: Iterable[Candidate],
    rooms: Sequence[RoomOffer],
    surgeon_minutes: Mapping[uuid.UUID, int],
    *,
    first: date,
    respect_blocks: bool,
    booked: Iterable[Candidate] = (),
) -> Choice:
    """The eligible cases, most urgent first, as many as the rooms and their surgeons could
    plausibly hold besides the `booked` cases re-planned; `surgeon_minutes` is each surgeon's
    time in the horizon."""
    capacity = sum(r.free_minutes for r in rooms)
    mandatory, everything = _Load(), _Load()
    for case in booked:
        everything.add(case)
        if case.mandatory(first):
            mandatory.add(case)
    eligible: list[Candidate] = []
    unplaceable: list[tuple[uuid.UUID, str]] = []
    idle = 0
    for case in candidates:
        idle += not surgeon_minutes.get(case.surgeon_id, 0)
        if (why := _why_not(case, rooms, surgeon_minutes, respect_blocks)) is None:
            eligible.append(case)
        elif case.mandatory(first):
            unplaceable.append((case.case_id, why))
    allowed = {s: HOLD_FACTOR * m for s, m in surgeon_minutes.items()}
    chosen: list[uuid.UUID] = []
    beyond: list[uuid.UUID] = []
    for case in sorted(eligible, key=Candidate.order):
        if case.mandatory(first):
            if len(chosen) == MOST_CASES or not mandatory.fits(case, capacity, surgeon_minutes):
                beyond.append(case.case_id)
                continue
            mandatory.add(case)
        elif len(chosen) == MOST_CASES or not everything.fits(
            case, HOLD_FACTOR * capacity, allowed
        ):
            continue
        chosen.append(case.case_id)
        everything.add(case)
    return Choice(tuple(chosen), tuple(beyond), len(eligible), capacity, tuple(unplaceable), idle)


def _why_not(
    case: Candidate,
    rooms: Sequence[RoomOffer],
    surgeon_minutes: Mapping[uuid.UUID, int],
    respect_blocks: bool,
) -> str | None:
    """Why no plan of these rooms could hold the case, or None when one might."""
    capable = [r for r in rooms if r.capable(case)]
    if not capable:
        return NO_CAPABLE_ROOM
    if not (free := [r for r in capable if r.free_minutes]):
        return NO_CAPACITY
    if not any(r.open_to(case, respect_blocks=respect_blocks) for r in free):
        return NOT_IN_BLOCK
    if not surgeon_minutes.get(case.surgeon_id, 0):
        return NO_SURGEON_TIME
    return None
