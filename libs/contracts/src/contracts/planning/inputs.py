"""What an optimization problem is made of: the cases to place and the resources to place them in.

Every time here is UTC; the planner never needs to know about wall clocks.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Self

from pydantic import Field, model_validator

from contracts.values import (
    Distinct,
    Minutes,
    PositiveMinutes,
    UtcDatetime,
    UtcWindow,
    Value,
    ensure_due_on_or_after_earliest,
    ensure_end_after_start,
)
from contracts.vocabulary import (
    Capability,
    EquipmentType,
    Specialty,
    StaffRequirements,
    StaffRole,
    SurgeryPriority,
)

Windows = Annotated[tuple[UtcWindow, ...], Field(max_length=5000)]


class CurrentBooking(Value):
    """Where a case is booked today; `start`-`end` is the surgery, setup and cleanup excluded."""

    room_id: uuid.UUID
    start: UtcDatetime
    end: UtcDatetime
    staff_ids: Distinct[uuid.UUID] = Field(default=(), max_length=30)
    equipment_unit_ids: Distinct[uuid.UUID] = Field(default=(), max_length=30)

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        ensure_end_after_start(self.start, self.end)
        return self


class PlanningCase(Value):
    """A surgery to place: its needs, its time limits, and where it is booked now, if anywhere."""

    case_id: uuid.UUID
    surgeon_id: uuid.UUID = Field(description="A staff member with the surgeon role.")
    specialty: Specialty | None = Field(default=None, description="Matches service blocks.")
    duration_minutes: PositiveMinutes
    setup_minutes: Minutes = 0
    cleanup_minutes: Minutes = 0
    priority: SurgeryPriority
    earliest_date: date | None = None
    due_date: date | None = Field(default=None, description="Later is allowed, at a cost.")
    required_capabilities: Distinct[Capability] = ()
    equipment_types: Distinct[EquipmentType] = ()
    staff_roles_needed: StaffRequirements = ()
    current_booking: CurrentBooking | None = None
    locked: bool = Field(
        default=False, strict=True, description="Keep the current booking exactly as it is."
    )
    move_weight: int | None = Field(
        default=None,
        ge=0,
        le=1_000_000,
        description="What moving or dropping this case's current booking costs, instead of"
        " `objective_weights.moved_case`: heavier for a confirmed case that should move only"
        " when there is no other way.",
    )
    start_delay_per_minute: int | None = Field(
        default=None,
        ge=0,
        le=1_000,
        description="A cost per minute its start lies after the horizon's start: so that a case"
        " (an emergency) goes as early as possible.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ensure_due_on_or_after_earliest(self.earliest_date, self.due_date)
        if self.locked and self.current_booking is None:
            raise ValueError("a locked case needs a current_booking to keep")
        return self


class PlanningRoom(Value):
    room_id: uuid.UUID
    capabilities: Distinct[Capability] = ()
    open_intervals: Windows = ()


class PlanningStaffMember(Value):
    staff_id: uuid.UUID
    roles: Distinct[StaffRole] = Field(min_length=1)
    available_intervals: Windows = ()
    max_minutes_per_day: PositiveMinutes | None = None
    max_minutes_by_date: dict[date, PositiveMinutes] = Field(
        default_factory=dict,
        max_length=400,
        description="A daily maximum for some local dates (part days, on-call days), in place of"
        " `max_minutes_per_day` on those dates.",
    )


class PlanningEquipmentUnit(Value):
    unit_id: uuid.UUID
    equipment_type: EquipmentType
    available_intervals: Windows = ()
    turnaround_minutes: Minutes = Field(default=0, description="Reprocessing between two cases.")


class PlanningBlock(Value):
    """Room time reserved for one surgeon or one service (matched by case `specialty`)."""

    block_id: uuid.UUID
    room_id: uuid.UUID
    start: UtcDatetime
    end: UtcDatetime
    surgeon_id: uuid.UUID | None = None
    service: Specialty | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ensure_end_after_start(self.start, self.end)
        if (self.surgeon_id is None) == (self.service is None):
            raise ValueError("a block belongs to exactly one of surgeon_id or service")
        return self
