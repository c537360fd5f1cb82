"""Events of `optimizer.schedules.v1`: the outcome of each optimization run."""

from __future__ import annotations

import uuid
from enum import StrEnum

from pydantic import Field

from contracts.envelope import Event
from contracts.planning import Plan, SolverReport
from contracts.topics import OPTIMIZER_SCHEDULES
from contracts.values import Note, Term, Value


class FailureReason(StrEnum):
    INFEASIBLE = "infeasible"
    NO_SOLUTION_IN_TIME_LIMIT = "no_solution_in_time_limit"
    INVALID_PROBLEM = "invalid_problem"
    SOLVER_ERROR = "solver_error"


class FailureDetail(Value):
    """One thing that explains the failure, naming the cases and resources involved."""

    code: Term
    message: Note
    case_ids: tuple[uuid.UUID, ...] = Field(default=(), max_length=5000)
    resource_ids: tuple[uuid.UUID, ...] = Field(default=(), max_length=5000)


class ScheduleOptimized(Event):
    """A proposal: the plan a coordinator can review and apply or reject."""

    topic = OPTIMIZER_SCHEDULES
    key_field = "request_id"

    request_id: uuid.UUID
    run_id: uuid.UUID
    plan: Plan
    solver: SolverReport


class OptimizationFailed(Event):
    """The run produced no plan, and why."""

    topic = OPTIMIZER_SCHEDULES
    key_field = "request_id"

    request_id: uuid.UUID
    run_id: uuid.UUID
    reason: FailureReason
    message: Note
    details: tuple[FailureDetail, ...] = Field(default=(), max_length=1000)


EVENTS: tuple[type[Event], ...] = (ScheduleOptimized, OptimizationFailed)
