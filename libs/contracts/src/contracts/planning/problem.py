"""The self-contained optimization problem, shared by the event and the optimizer's HTTP API."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Self

from pydantic import Field, model_validator

from contracts.planning.inputs import (
    PlanningBlock,
    PlanningCase,
    PlanningEquipmentUnit,
    PlanningRoom,
    PlanningStaffMember,
)
from contracts.values import TimeZoneName, Value, repeated_ids
from contracts.vocabulary import StaffRole

MAX_HORIZON_DAYS = 366


class Horizon(Value):
    """The local dates to plan, both inclusive, in the hospital's time zone."""

    start_date: date
    end_date: date
    timezone: TimeZoneName

    @model_validator(mode="after")
    def _sane_length(self) -> Self:
        if self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        if (self.end_date - self.start_date).days >= MAX_HORIZON_DAYS:
            raise ValueError(f"a horizon spans at most {MAX_HORIZON_DAYS} days")
        return self


class ObjectiveWeights(Value):
    """What the planner trades off, as penalties it minimizes; all are integers for the solver."""

    unscheduled_elective: int = Field(default=100, ge=0, description="Per elective case left out.")
    unscheduled_urgent: int = Field(default=1_000, ge=0, description="Per urgent case left out.")
    unscheduled_emergency: int = Field(
        default=10_000, ge=0, description="Per emergency case left out."
    )
    late_day: int = Field(default=10, ge=0, description="Per day a case starts after its due date.")
    idle_minute: int = Field(
        default=0,
        ge=0,
        description="Per open minute left unused in a room-day that has cases. 0 by default:"
        " `room_day` already prices a staffed room, and charging idle minutes on top kept"
        " partly fillable rooms closed, leaving cases waiting and room time unused.",
    )
    overtime_minute: int = Field(
        default=5, ge=0, description="Per minute a room is used outside its open intervals."
    )
    moved_case: int = Field(
        default=50, ge=0, description="Per case moved away from its current booking."
    )
    off_block_case: int = Field(
        default=20,
        ge=0,
        description="Per case placed outside its surgeon's or service's block, when blocks are"
        " not respected strictly.",
    )
    waiting_day_elective: int = Field(
        default=1, ge=0, description="Per day an elective case waits beyond its earliest date."
    )
    waiting_day_urgent: int = Field(
        default=20, ge=0, description="Per day an urgent case waits beyond its earliest date."
    )
    waiting_day_emergency: int = Field(
        default=200, ge=0, description="Per day an emergency case waits beyond its earliest date."
    )
    room_day: int = Field(
        default=60, ge=0, description="Per room opened on a day (a used room costs its staffing)."
    )
    surgeon_extra_room: int = Field(
        default=30, ge=0, description="Per extra room a surgeon works in on one day."
    )


class OptimizationProblem(Value):
    """Everything the optimizer needs, and nothing it would have to look up elsewhere."""

    horizon: Horizon
    cases: tuple[PlanningCase, ...] = Field(max_length=5000)
    rooms: tuple[PlanningRoom, ...] = Field(min_length=1, max_length=500)
    staff: tuple[PlanningStaffMember, ...] = Field(default=(), max_length=5000)
    equipment_units: tuple[PlanningEquipmentUnit, ...] = Field(default=(), max_length=5000)
    blocks: tuple[PlanningBlock, ...] = Field(default=(), max_length=20000)
    objective_weights: ObjectiveWeights = ObjectiveWeights()
    time_limit_seconds: float = Field(default=30.0, gt=0, le=3600)
    relative_gap_limit: float = Field(default=0.01, ge=0, le=1)
    respect_blocks: bool = Field(
        default=True,
        strict=True,  # true or false, not 0 or 1
        description="Place cases only in their surgeon's or service's blocks.",
    )

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        problems = list(_inconsistencies(self))
        if problems:
            raise ValueError(f"{len(problems)} inconsistencies: " + "; ".join(problems))
        return self


def _inconsistencies(problem: OptimizationProblem) -> Iterator[str]:
    yield from repeated_ids([c.case_id for c in problem.cases], "case")
    yield from repeated_ids([r.room_id for r in problem.rooms], "room")
    yield from repeated_ids([s.staff_id for s in problem.staff], "staff member")
    yield from repeated_ids([u.unit_id for u in problem.equipment_units], "equipment unit")
    yield from repeated_ids([b.block_id for b in problem.blocks], "block")
    rooms = {r.room_id for r in problem.rooms}
    staff = {s.staff_id: s for s in problem.staff}
    units = {u.unit_id for u in problem.equipment_units}
    for i, case in enumerate(problem.cases):
        yield from _case_inconsistencies(f"cases[{i}] ({case.case_id})", case, rooms, staff, units)
    for i, block in enumerate(problem.blocks):
        where = f"blocks[{i}] ({block.block_id})"
        if block.room_id not in rooms:
            yield f"{where}: room_id {block.room_id} is not one of the rooms"
        if block.surgeon_id is not None and not _is_surgeon(staff.get(block.surgeon_id)):
            yield f"{where}: {_not_a_surgeon(block.surgeon_id)}"


def _case_inconsistencies(
    where: str,
    case: PlanningCase,
    rooms: set[uuid.UUID],
    staff: dict[uuid.UUID, PlanningStaffMember],
    units: set[uuid.UUID],
) -> Iterator[str]:
    if not _is_surgeon(staff.get(case.surgeon_id)):
        yield f"{where}: {_not_a_surgeon(case.surgeon_id)}"
    booking = case.current_booking
    if booking is None:
        return
    if booking.room_id not in rooms:
        yield f"{where}: current_booking.room_id {booking.room_id} is not one of the rooms"
    for staff_id in booking.staff_ids:
        if staff_id not in staff:
            yield f"{where}: current_booking.staff_ids has unknown staff member {staff_id}"
    for unit_id in booking.equipment_unit_ids:
        if unit_id not in units:
            yield f"{where}: current_booking.equipment_unit_ids has unknown unit {unit_id}"


def _is_surgeon(member: PlanningStaffMember | None) -> bool:
    return member is not None and StaffRole.SURGEON in member.roles


def _not_a_surgeon(staff_id: uuid.UUID) -> str:
    return f"surgeon_id {staff_id} is not a staff member with the surgeon role"
