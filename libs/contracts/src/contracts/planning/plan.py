"""What the optimizer answers: a plan, the cases it could not place and why, and solver figures."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator

from contracts.planning.inputs import CurrentBooking
from contracts.values import (
    Note,
    Term,
    Value,
    repeated_ids,
)

UnscheduledReason = Annotated[
    Term,
    Field(
        description="Known reasons: no_capable_room, no_equipment, no_staff, no_capacity, "
        "outside_horizon, not_in_block, time_limit.",
        examples=["no_capable_room"],
    ),
]


class SolverStatus(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"


class CaseAssignment(CurrentBooking):
    """A case placed by a plan: the same shape as a booking, naming its case."""

    case_id: uuid.UUID


class UnscheduledCase(Value):
    case_id: uuid.UUID
    reason: UnscheduledReason
    detail: Note | None = None


class PlanKpis(Value):
    """Figures of the plan over the horizon; utilization is booked over open room time."""

    scheduled_cases: int = Field(ge=0)
    unscheduled_cases: int = Field(ge=0)
    utilization: float = Field(ge=0, le=1)
    idle_minutes: int = Field(ge=0)
    overtime_minutes: int = Field(ge=0)
    moved_cases: int = Field(default=0, ge=0)
    late_cases: int = Field(default=0, ge=0)
    booked_minutes: int = Field(
        default=0, ge=0, description="Room minutes occupied by cases, setup and cleanup included."
    )
    open_minutes: int = Field(default=0, ge=0, description="Open room minutes in the horizon.")
    surgery_minutes: int = Field(default=0, ge=0, description="Minutes of surgery proper.")
    room_days_opened: int = Field(default=0, ge=0, description="Room-days with at least one case.")


class Plan(Value):
    """Every case of the problem exactly once: either assigned or unscheduled with a reason."""

    assignments: tuple[CaseAssignment, ...] = Field(default=(), max_length=5000)
    unscheduled: tuple[UnscheduledCase, ...] = Field(default=(), max_length=5000)
    kpis: PlanKpis

    @model_validator(mode="after")
    def _each_case_once(self) -> Self:
        case_ids = [a.case_id for a in self.assignments] + [u.case_id for u in self.unscheduled]
        if problems := repeated_ids(case_ids, "case"):
            raise ValueError("; ".join(problems))
        return self


class SolverReport(Value):
    status: SolverStatus
    objective: float
    best_bound: float
    gap: float = Field(ge=0, description="Relative gap between objective and best bound.")
    wall_time_seconds: float = Field(ge=0)
