"""Emergency insertion: which booked cases an emergency re-plan may move, over which days.

An emergency arrives on a full day. The re-plan covers today, from now plus `MARGIN` (nothing is
placed in the past), and tomorrow only when today cannot take it. Booked cases split two ways:

- *kept*: started (wheels in, so no longer booked) or due to start before now plus the margin.
  They are not re-planned; their bookings hold their time.
- *re-planned*: every other booked case starting in the horizon. The weights (`WEIGHTS`) make a
  move dear and leaving a booked case out (pushing it off the list) far dearer still, so the
  optimizer moves as few as it can and unbooks one only when nothing else makes room. Confirmed
  ones among them (`Sides.confirmed`) carry a move weight of their own, `CONFIRMED_MOVE_WEIGHT`,
  dearer than pushing a planned case out and cheaper than the emergency waiting a day: they move
  only when there is no other way today.

The emergency (or urgent) cases carry a start delay cost (`START_DELAY_PER_MINUTE`): they go as
early as they can, at the price of moving a planned case for every 50 minutes gained, never of
moving a confirmed one. The steps are tried in `LADDER` order, today and then today and tomorrow;
a step is taken when each emergency `fits`: some capable room has a stretch, free of the bookings
the step keeps, as long as its room time while its surgeon is free of them. It is an estimate (it
ignores other people and units); the optimizer has the last word.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from contracts.calendar.spans import Span, clip, intersect, subtract
from contracts.planning import CaseAssignment, ObjectiveWeights, Plan
from contracts.vocabulary import SurgeryPriority

from scheduling_service.domain.lifecycle import BOOKED, Status
from scheduling_service.domain.proposals import Placement

MARGIN = timedelta(minutes=15)
TIME_LIMIT_SECONDS = 3.0
# A move costs `moved_case` once when the case changes room or day and once more when its start
# changes; pushing a booked elective out costs `unscheduled_elective` on top: more than a dozen
# moves. An emergency waiting a day costs more than any plausible number of moves.
WEIGHTS = ObjectiveWeights(
    moved_case=100,
    unscheduled_elective=5_000,
    unscheduled_urgent=50_000,
    unscheduled_emergency=500_000,
    waiting_day_urgent=5_000,
    waiting_day_emergency=20_000,
)
# Moving a confirmed case (once or twice, as above) costs more than pushing a planned elective out
# (5,100) and less than an emergency waiting a day (20,000).
CONFIRMED_MOVE_WEIGHT = 6_000
# Per minute an inserted case starts later: 50 minutes sooner are worth one planned case's move.
START_DELAY_PER_MINUTE = 2
INSERTED_PRIORITIES = frozenset({SurgeryPriority.EMERGENCY, SurgeryPriority.URGENT})


@dataclass(frozen=True, slots=True)
class Step:
    days: int  # 1: today; 2: today and tomorrow


LADDER = (Step(1), Step(2))


@dataclass(frozen=True, slots=True)
class Booked:
    """A booking in a chosen room near the horizon: its case, status and the time it holds."""

    case_id: uuid.UUID
    status: str
    room_id: uuid.UUID
    start: datetime  # wheels in, as booked
    held: Span  # setup to cleanup


@dataclass(frozen=True, slots=True)
class Sides:
    kept: tuple[uuid.UUID, ...]
    replanned: tuple[uuid.UUID, ...]
    confirmed: tuple[uuid.UUID, ...]  # those re-planned that are confirmed: dearer to move

    def move_weights(self) -> dict[uuid.UUID, int]:
        return dict.fromkeys(self.confirmed, CONFIRMED_MOVE_WEIGHT)


def split(booked: Iterable[Booked], window: Span) -> Sides:
    """The bookings of `window`'s days as the step treats them (see the module); a booking
    starting after the window is not in the problem and holds its time too."""
    kept: list[uuid.UUID] = []
    replanned: list[uuid.UUID] = []
    confirmed: list[uuid.UUID] = []
    for b in sorted(booked, key=lambda b: (b.start, str(b.case_id))):
        if b.start >= window.end:
            continue
        if b.status not in BOOKED or b.start < window.start:
            kept.append(b.case_id)
            continue
        replanned.append(b.case_id)
        if b.status == Status.CONFIRMED:
            confirmed.append(b.case_id)
    return Sides(tuple(kept), tuple(replanned), tuple(confirmed))


@dataclass(frozen=True, slots=True)
class Need:
    """An emergency, as far as fitting it goes: a room with its capabilities, its surgeon, and
    its room time (setup, surgery, cleanup) from `not_before` (its earliest date) on."""

    case_id: uuid.UUID
    surgeon_id: uuid.UUID
    capabilities: frozenset[str]
    room_minutes: int
    not_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class Room:
    room_id: uuid.UUID
    capabilities: frozenset[str]
    open: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Busy:
    """A booked case holding a person: the time it holds them."""

    case_id: uuid.UUID
    span: Span


def fits(
    need: Need,
    window: Span,
    rooms: Sequence[Room],
    booked: Sequence[Booked],
    surgeons: Mapping[uuid.UUID, tuple[Sequence[Span], Sequence[Busy]]],
    movable: frozenset[uuid.UUID],
) -> bool:
    """Whether a capable room has a stretch in `window` as long as the emergency's room time,
    free of every booking but the `movable` ones, while its surgeon works and is free too."""
    start = max(window.start, need.not_before or window.start)
    if start >= window.end:
        return False
    within = Span(start, window.end)
    working, busy = surgeons.get(need.surgeon_id, ((), ()))
    surgeon = subtract(working, [b.span for b in busy if b.case_id not in movable])
    for room in rooms:
        if not need.capabilities <= room.capabilities:
            continue
        held = [b.held for b in booked if b.room_id == room.room_id and b.case_id not in movable]
        free = intersect(subtract(clip(room.open, within), held), surgeon)
        if any(s.minutes >= need.room_minutes for s in free):
            return True
    return False


def first_step(
    needs: Sequence[Need],
    windows: Mapping[int, Span],
    rooms: Sequence[Room],
    booked: Sequence[Booked],
    surgeons: Mapping[uuid.UUID, tuple[Sequence[Span], Sequence[Busy]]],
) -> Step:
    """The first step of `LADDER` at which every emergency fits; the last one otherwise (the
    optimizer then says what it cannot place)."""
    for step in LADDER:
        window = windows[step.days]
        movable = frozenset(split(booked, window).replanned)
        if all(fits(n, window, rooms, booked, surgeons, movable) for n in needs):
            return step
    return LADDER[-1]


def keep_booked_people(plan: Plan, booked: Mapping[uuid.UUID, Placement]) -> Plan:
    """The plan with each case it keeps in its booked room and time staffed as booked again,
    wherever those people and units are then nowhere else at once.

    The optimizer prices a move by room, day and start, not by who operates: among people alike
    it picks any, and a case kept in place would come back with other people — a move for the
    staff involved. Restoring the booked ones undoes that; applying checks every rule again."""
    placed = {a.case_id: a for a in plan.assignments}
    restored = True
    while restored:
        restored = False
        for case_id, assignment in sorted(placed.items(), key=lambda kv: kv[1].start):
            was = booked.get(case_id)
            if was is None or not _restaffed(assignment, was):
                continue
            others = [a for i, a in placed.items() if i != case_id and _overlap(a, assignment)]
            busy = {s for a in others for s in a.staff_ids} | {
                u for a in others for u in a.equipment_unit_ids
            }
            if busy & (was.staff_ids | was.unit_ids):
                continue
            placed[case_id] = assignment.model_copy(
                update={
                    "staff_ids": tuple(sorted(was.staff_ids)),
                    "equipment_unit_ids": tuple(sorted(was.unit_ids)),
                }
            )
            restored = True
    return plan.model_copy(update={"assignments": tuple(placed.values())})


def _restaffed(assignment: CaseAssignment, was: Placement) -> bool:
    where = (assignment.room_id, assignment.start, assignment.end)
    return where == (was.room_id, was.start, was.end) and (
        frozenset(assignment.staff_ids) != was.staff_ids
        or frozenset(assignment.equipment_unit_ids) != was.unit_ids
    )


def _overlap(a: CaseAssignment, b: CaseAssignment) -> bool:
    return a.start < b.end and b.start < a.end
