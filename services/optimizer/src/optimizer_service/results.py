"""A run's result three ways: from the planner's outcome, as stored JSON, and as the event."""

from __future__ import annotations

import uuid
from typing import Any

from contracts.envelope import Event
from contracts.events.optimizer_schedules import (
    FailureDetail,
    FailureReason,
    OptimizationFailed,
    ScheduleOptimized,
)
from contracts.planning import Plan, SolverReport

from optimizer_service.domain.outcome import Outcome, Solved

Result = dict[str, Any]


def stored(outcome: Outcome) -> tuple[str, Result]:
    """The run's final status and its `result` column."""
    if isinstance(outcome, Solved):
        return "succeeded", {
            "plan": outcome.plan.model_dump(mode="json"),
            "solver": outcome.report.model_dump(mode="json"),
        }
    return "failed", failure(outcome.reason, outcome.message, outcome.details)


def failure(reason: FailureReason, message: str, details: tuple[FailureDetail, ...] = ()) -> Result:
    return {
        "failure": {
            "reason": str(reason),
            "message": message[:1000],
            "details": [detail.model_dump(mode="json") for detail in details],
        }
    }


def outcome_label(status: str, result: Result) -> str:
    """`succeeded`, or the failure reason: the metrics' outcome label."""
    return status if status == "succeeded" else result["failure"]["reason"]


def event(request_id: uuid.UUID, run_id: uuid.UUID, status: str, result: Result) -> Event:
    if status == "succeeded":
        return ScheduleOptimized(
            request_id=request_id,
            run_id=run_id,
            plan=Plan.model_validate(result["plan"]),
            solver=SolverReport.model_validate(result["solver"]),
        )
    failed = result["failure"]
    return OptimizationFailed(
        request_id=request_id,
        run_id=run_id,
        reason=FailureReason(failed["reason"]),
        message=failed["message"],
        details=tuple(FailureDetail.model_validate(d) for d in failed["details"]),
    )
