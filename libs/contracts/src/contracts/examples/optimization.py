"""Examples of the optimization request and its outcomes."""

from __future__ import annotations

from datetime import date

from contracts.events.optimizer_schedules import (
    FailureDetail,
    FailureReason,
    OptimizationFailed,
    ScheduleOptimized,
)
from contracts.events.scheduling_optimization_requests import OptimizationRequested
from contracts.examples.ids import (
    ANAESTHETIST,
    BLOCK,
    C_ARM_UNIT,
    COORDINATOR,
    REQUEST,
    ROOM,
    RUN,
    SCRUB_NURSE,
    SURGEON,
    SURGERY,
    at,
    example_id,
)
from contracts.planning import (
    CaseAssignment,
    Horizon,
    OptimizationProblem,
    Plan,
    PlanKpis,
    PlanningBlock,
    PlanningCase,
    PlanningEquipmentUnit,
    PlanningRoom,
    PlanningStaffMember,
    SolverReport,
    SolverStatus,
    UnscheduledCase,
)
from contracts.values import UtcWindow
from contracts.vocabulary import StaffRequirement, StaffRole, SurgeryPriority

SECOND_CASE = example_id("surgery 2")
MONDAY = (UtcWindow(start=at(7, 7, 30), end=at(7, 16, 30)),)

PROBLEM = OptimizationProblem(
    horizon=Horizon(
        start_date=date(2026, 12, 7), end_date=date(2026, 12, 11), timezone="Europe/Amsterdam"
    ),
    cases=(
        PlanningCase(
            case_id=SURGERY,
            surgeon_id=SURGEON,
            specialty="orthopaedics",
            duration_minutes=120,
            setup_minutes=30,
            cleanup_minutes=20,
            priority=SurgeryPriority.ELECTIVE,
            due_date=date(2027, 2, 28),
            required_capabilities=("orthopaedic",),
            equipment_types=("c_arm",),
            staff_roles_needed=(
                StaffRequirement(role=StaffRole.ANAESTHETIST),
                StaffRequirement(role=StaffRole.SCRUB_NURSE),
            ),
        ),
        PlanningCase(
            case_id=SECOND_CASE,
            surgeon_id=SURGEON,
            duration_minutes=90,
            priority=SurgeryPriority.URGENT,
            required_capabilities=("robotic",),
        ),
    ),
    rooms=(PlanningRoom(room_id=ROOM, capabilities=("orthopaedic",), open_intervals=MONDAY),),
    staff=(
        PlanningStaffMember(
            staff_id=SURGEON,
            roles=(StaffRole.SURGEON,),
            available_intervals=MONDAY,
            max_minutes_per_day=600,
        ),
        PlanningStaffMember(
            staff_id=ANAESTHETIST, roles=(StaffRole.ANAESTHETIST,), available_intervals=MONDAY
        ),
        PlanningStaffMember(
            staff_id=SCRUB_NURSE, roles=(StaffRole.SCRUB_NURSE,), available_intervals=MONDAY
        ),
    ),
    equipment_units=(
        PlanningEquipmentUnit(
            unit_id=C_ARM_UNIT,
            equipment_type="c_arm",
            available_intervals=MONDAY,
            turnaround_minutes=15,
        ),
    ),
    blocks=(
        PlanningBlock(
            block_id=BLOCK,
            room_id=ROOM,
            start=at(7, 7, 0),
            end=at(7, 12, 0),
            service="orthopaedics",
        ),
    ),
    time_limit_seconds=20,
)

EXAMPLES = (
    OptimizationRequested(request_id=REQUEST, requested_by=COORDINATOR, problem=PROBLEM),
    ScheduleOptimized(
        request_id=REQUEST,
        run_id=RUN,
        plan=Plan(
            assignments=(
                CaseAssignment(
                    case_id=SURGERY,
                    room_id=ROOM,
                    start=at(7, 8, 0),
                    end=at(7, 10, 0),
                    staff_ids=(SURGEON, ANAESTHETIST, SCRUB_NURSE),
                    equipment_unit_ids=(C_ARM_UNIT,),
                ),
            ),
            unscheduled=(UnscheduledCase(case_id=SECOND_CASE, reason="no_capable_room"),),
            kpis=PlanKpis(
                scheduled_cases=1,
                unscheduled_cases=1,
                utilization=0.31,
                idle_minutes=370,
                overtime_minutes=0,
            ),
        ),
        solver=SolverReport(
            status=SolverStatus.OPTIMAL,
            objective=1470.0,
            best_bound=1470.0,
            gap=0.0,
            wall_time_seconds=0.42,
        ),
    ),
    OptimizationFailed(
        request_id=REQUEST,
        run_id=RUN,
        reason=FailureReason.INFEASIBLE,
        message="The locked cases overlap in OR-1.",
        details=(
            FailureDetail(
                code="locked_overlap",
                message="Two locked cases share OR-1 on 2026-12-07 08:00-09:30.",
                case_ids=(SURGERY, SECOND_CASE),
                resource_ids=(ROOM,),
            ),
        ),
    ),
)
