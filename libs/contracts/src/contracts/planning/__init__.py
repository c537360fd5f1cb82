"""The optimization problem and its answer, shared by the events and the optimizer's HTTP API."""

from contracts.planning.inputs import (
    CurrentBooking,
    PlanningBlock,
    PlanningCase,
    PlanningEquipmentUnit,
    PlanningRoom,
    PlanningStaffMember,
)
from contracts.planning.plan import (
    CaseAssignment,
    Plan,
    PlanKpis,
    SolverReport,
    SolverStatus,
    UnscheduledCase,
)
from contracts.planning.problem import Horizon, ObjectiveWeights, OptimizationProblem

__all__ = [
    "CaseAssignment",
    "CurrentBooking",
    "Horizon",
    "ObjectiveWeights",
    "OptimizationProblem",
    "Plan",
    "PlanKpis",
    "PlanningBlock",
    "PlanningCase",
    "PlanningEquipmentUnit",
    "PlanningRoom",
    "PlanningStaffMember",
    "SolverReport",
    "SolverStatus",
    "UnscheduledCase",
]
