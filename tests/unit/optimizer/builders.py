"""Tiny hand-made planning problems on UTC days, for the optimizer's unit tests.

Idle room minutes cost nothing here (the default too) unless a test says so: charged, a lone short
elective is not worth opening a room for, which would hide the rule a test is about.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from contracts.planning import (
    CurrentBooking,
    Horizon,
    ObjectiveWeights,
    OptimizationProblem,
    PlanningBlock,
    PlanningCase,
    PlanningEquipmentUnit,
    PlanningRoom,
    PlanningStaffMember,
)
from contracts.values import UtcWindow
from contracts.vocabulary import StaffRequirement, StaffRole, SurgeryPriority

FIRST = date(2026, 3, 16)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(FIRST.year, FIRST.month, FIRST.day, tzinfo=UTC) + timedelta(
        days=day, hours=hour, minutes=minute
    )


def window(day: int, start: int, end: int) -> UtcWindow:
    return UtcWindow(start=at(day, start), end=at(day, end))


def room(*capabilities: str, days: int = 1, hours: tuple[int, int] = (8, 12)) -> PlanningRoom:
    return PlanningRoom(
        room_id=uuid.uuid4(),
        capabilities=capabilities,
        open_intervals=tuple(window(d, *hours) for d in range(days)),
    )


def person(*roles: StaffRole, **fields) -> PlanningStaffMember:
    return PlanningStaffMember(staff_id=uuid.uuid4(), roles=roles or (StaffRole.SURGEON,), **fields)


def unit(kind: str = "c_arm", **fields) -> PlanningEquipmentUnit:
    return PlanningEquipmentUnit(unit_id=uuid.uuid4(), equipment_type=kind, **fields)


def case(surgeon: PlanningStaffMember, minutes: int, **fields) -> PlanningCase:
    fields.setdefault("priority", SurgeryPriority.ELECTIVE)
    roles = fields.pop("roles", ())
    return PlanningCase(
        case_id=uuid.uuid4(),
        surgeon_id=surgeon.staff_id,
        duration_minutes=minutes,
        staff_roles_needed=tuple(StaffRequirement(role=r) for r in roles),
        **fields,
    )


def block(room_: PlanningRoom, day: int, start: int, end: int, **owner) -> PlanningBlock:
    return PlanningBlock(
        block_id=uuid.uuid4(),
        room_id=room_.room_id,
        start=at(day, start),
        end=at(day, end),
        **owner,
    )


def booking(room_: PlanningRoom, start: datetime, minutes: int, **fields) -> CurrentBooking:
    return CurrentBooking(
        room_id=room_.room_id, start=start, end=start + timedelta(minutes=minutes), **fields
    )


def problem(
    cases, rooms, staff, units=(), blocks=(), days: int = 1, **fields
) -> OptimizationProblem:
    fields.setdefault("time_limit_seconds", 5)
    fields.setdefault("relative_gap_limit", 0.0)
    fields.setdefault("objective_weights", ObjectiveWeights(idle_minute=0))
    return OptimizationProblem(
        horizon=Horizon(
            start_date=FIRST, end_date=FIRST + timedelta(days=days - 1), timezone="UTC"
        ),
        cases=tuple(cases),
        rooms=tuple(rooms),
        staff=tuple(staff),
        equipment_units=tuple(units),
        blocks=tuple(blocks),
        **fields,
    )
