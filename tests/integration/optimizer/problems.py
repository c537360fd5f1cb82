"""Tiny planning problems that solve in well under a second: one day, one room, one surgeon."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from contracts.planning import (
    Horizon,
    ObjectiveWeights,
    OptimizationProblem,
    PlanningCase,
    PlanningRoom,
    PlanningStaffMember,
)
from contracts.values import UtcWindow
from contracts.vocabulary import StaffRole, SurgeryPriority

DAY = date(2026, 12, 7)


def tiny_problem(cases: int = 3, *, time_limit_seconds: float = 3, **fields) -> OptimizationProblem:
    """One day, one room open 08:00-16:00, one surgeon, `cases` elective hours: all fit."""
    opening = (
        UtcWindow(
            start=datetime(DAY.year, DAY.month, DAY.day, 8, tzinfo=UTC),
            end=datetime(DAY.year, DAY.month, DAY.day, 16, tzinfo=UTC),
        ),
    )
    surgeon = PlanningStaffMember(
        staff_id=uuid.uuid4(), roles=(StaffRole.SURGEON,), available_intervals=opening
    )
    return OptimizationProblem(
        horizon=Horizon(start_date=DAY, end_date=DAY, timezone="UTC"),
        cases=tuple(
            PlanningCase(
                case_id=uuid.uuid4(),
                surgeon_id=surgeon.staff_id,
                duration_minutes=60,
                cleanup_minutes=15,
                priority=SurgeryPriority.ELECTIVE,
                due_date=DAY + timedelta(days=30),
            )
            for _ in range(cases)
        ),
        rooms=(PlanningRoom(room_id=uuid.uuid4(), open_intervals=opening),),
        staff=(surgeon,),
        objective_weights=ObjectiveWeights(idle_minute=0),
        time_limit_seconds=time_limit_seconds,
        **fields,
    )


def impossible_problem() -> tuple[OptimizationProblem, uuid.UUID]:
    """An urgent (so mandatory) case needing a robot no room has; and that case's id."""
    problem = tiny_problem(1)
    urgent = problem.cases[0].model_copy(
        update={"priority": SurgeryPriority.URGENT, "required_capabilities": ("robotic",)}
    )
    return problem.model_copy(update={"cases": (urgent,)}), urgent.case_id
