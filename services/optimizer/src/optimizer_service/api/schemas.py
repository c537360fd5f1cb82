"""Request and response bodies of the optimizer API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from contracts.events.optimizer_schedules import FailureDetail, FailureReason
from contracts.planning import OptimizationProblem, Plan, SolverReport
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from servicekit.json_types import mistyped
from sqlalchemy import Row

_PROBLEM_SCHEMA = OptimizationProblem.model_json_schema()


def _json_types_as_documented(problem: Any) -> Any:
    wrong = mistyped(_PROBLEM_SCHEMA, problem)
    if wrong:
        raise ValueError(f"holds values of the wrong JSON type at {', '.join(wrong[:5])}")
    return problem


RunStatus = Literal["queued", "running", "succeeded", "failed"]
RunSource = Literal["http", "event"]
Planner = Literal["cp_sat", "greedy"]


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    problem: Annotated[OptimizationProblem, BeforeValidator(_json_types_as_documented)]
    mode: Literal["wait", "async"] = Field(
        default="wait",
        description=(
            "`wait`: answer 200 with the result when the run finishes within the problem's time "
            "limit plus a margin, else 202; `async`: answer 202 at once."
        ),
    )
    planner: Planner = Field(
        default="cp_sat",
        description="`cp_sat`: the optimizer; `greedy`: earliest due date, first fit (baseline).",
    )
    seed: int = Field(
        default=0,
        strict=True,  # a number, not `false` read as 0
        ge=0,
        le=2**31 - 1,
        description="CP-SAT's random seed. With one solver worker, the same problem and seed "
        "give the same plan (unless a solve stops at its time limit).",
    )


class RunFailure(BaseModel):
    reason: FailureReason
    message: str
    details: list[FailureDetail] = []


class RunSummary(BaseModel):
    run_id: uuid.UUID
    source: RunSource = Field(description="`http`: a what-if run; `event`: OptimizationRequested.")
    planner: Planner
    status: RunStatus
    request_id: uuid.UUID | None = Field(description="The OptimizationRequested it answers.")
    requested_by: uuid.UUID | None
    attempts: int = Field(ge=0, description="Times a worker claimed it.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    seed: int = Field(description="CP-SAT's random seed for this run.")
    solver_workers: int | None = Field(
        default=None, description="CP-SAT search workers of the solve that finished it."
    )
    solver: SolverReport | None = None
    failure_reason: FailureReason | None = None

    @classmethod
    def of(cls, row: Row[Any]) -> RunSummary:
        return cls.model_validate(row, from_attributes=True)


class RunPublic(RunSummary):
    problem: OptimizationProblem
    plan: Plan | None = None
    failure: RunFailure | None = None

    @classmethod
    def of(cls, row: Row[Any]) -> RunPublic:
        fields = dict(row._mapping)
        result = fields.pop("result") or {}
        failure = result.get("failure")
        return cls.model_validate(
            {
                **fields,
                "plan": result.get("plan"),
                "solver": result.get("solver"),
                "failure": failure,
                "failure_reason": failure and failure["reason"],
            }
        )
