"""Optimizations: what a coordinator asks for, and the proposal and its diff they read back."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, Self

from contracts.events.scheduling_surgeries import SurgeryStatus
from contracts.planning import ObjectiveWeights, PlanKpis, SolverReport
from contracts.values import Distinct, ScheduleDate
from contracts.vocabulary import StaffRole
from pydantic import BaseModel, ConfigDict, Field, model_validator

from scheduling_service.domain import emergency_insertion as insertion
from scheduling_service.domain.proposals import CaseChange, Change, Placement
from scheduling_service.planning.planning_ask import Ask
from scheduling_service.planning.planning_emergency import EmergencyAsk

if TYPE_CHECKING:
    from scheduling_service.planning.optimizations import Optimization

MAX_HORIZON_DAYS = 31
OptimizationStatus = Literal["requested", "proposed", "failed", "applied", "rejected"]


class HorizonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start_date: ScheduleDate = Field(description="Local date in the hospital's time zone.")
    end_date: ScheduleDate = Field(description="Local date, inclusive.")

    @model_validator(mode="after")
    def _at_most_a_month(self) -> Self:
        if self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        if (self.end_date - self.start_date).days + 1 > MAX_HORIZON_DAYS:
            raise ValueError(f"a horizon spans at most {MAX_HORIZON_DAYS} days")
        return self


class OptimizationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["default", "emergency"] = Field(
        default="default",
        description="`default`: plan the horizon asked for. `emergency`: insert the waiting "
        "emergency or urgent cases `emergency_surgery_ids` today (tomorrow only when today "
        "cannot take them), from now plus 15 minutes, moving as few booked cases as it can: "
        "started cases (wheels in, or due to start within the margin) stay; confirmed cases "
        "are locked unless no plan could take the emergency without moving them; a booked "
        "case is pushed out (unbooked, with its reason; applying postpones it) only when "
        "nothing else makes room. No `horizon` or `surgery_ids`; blocks are not respected and "
        f"the time limit is {insertion.TIME_LIMIT_SECONDS:g} s unless asked; "
        "`options.emergency` says which days, and which booked cases were kept, locked and "
        "re-planned.",
    )
    emergency_surgery_ids: Distinct[uuid.UUID] | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="With `mode: emergency`, the waiting emergency or urgent cases to insert.",
    )
    horizon: HorizonIn | None = Field(
        default=None,
        description="At most 31 days, starting today or later. Required but with `mode: "
        "emergency`, which chooses its own.",
    )
    room_ids: Distinct[uuid.UUID] | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="The rooms to plan; every room in service when left out.",
    )
    surgery_ids: Distinct[uuid.UUID] | None = Field(
        default=None,
        min_length=1,
        max_length=5000,
        description="The cases to plan, as named. Left out, the default: every scheduled or "
        "confirmed case starting in the horizon in the chosen rooms, and the waiting cases "
        "(requested, postponed) those rooms could take — a chosen room has every capability the "
        "case requires and, when blocks are respected, time outside every block or a block of "
        "the case's surgeon or service; its surgeon works in the horizon while a chosen room is "
        "open; its earliest date is on or before the horizon's end — most urgent first "
        "(priority, then due date, then the oldest request), as long as their room time (setup, "
        "surgery, cleanup) stays within 3 times the chosen rooms' free minutes in the horizon "
        "(while a surgeon of the waiting cases works), each surgeon's surgery minutes within 3 "
        "times their own working minutes then (within their daily maximum), and at most 500. "
        "Booked cases that are not locked are re-planned: their time counts as free. Mandatory "
        "cases (emergency, urgent, past due) are taken only as far as the rooms' free minutes "
        "and their surgeons' minutes could hold them all; every mandatory case not taken is "
        "listed in `options.left_out` with its reason (`no_capable_room`, `no_capacity`, "
        "`not_in_block`, `no_staff`) rather than make the problem infeasible. "
        "`options.default_cases` tells how many were eligible and chosen.",
    )
    locked_surgery_ids: Distinct[uuid.UUID] = Field(
        default=(),
        max_length=5000,
        description="Booked cases the plan must keep exactly where they are (added to the cases).",
    )
    respect_blocks: bool | None = Field(
        default=None,
        description="Place cases only in their surgeon's or service's blocks; by default yes, "
        "but not in `mode: emergency`.",
    )
    time_limit_seconds: float | None = Field(
        default=None,
        gt=0,
        le=3600,
        description="The solver's limit; the service's default (a few seconds in `mode: "
        "emergency`).",
    )
    objective_weights: ObjectiveWeights | None = Field(
        default=None,
        description="The contract's defaults; in `mode: emergency`, moves cost 100, leaving a "
        "booked elective out 5,000 and an emergency waiting a day 20,000.",
    )

    @model_validator(mode="after")
    def _mode_fields(self) -> Self:
        if self.mode == "default":
            if self.horizon is None:
                raise ValueError("a horizon is required (but with mode emergency)")
            if self.emergency_surgery_ids is not None:
                raise ValueError("emergency_surgery_ids goes with mode emergency")
            return self
        if self.emergency_surgery_ids is None:
            raise ValueError("mode emergency needs emergency_surgery_ids")
        if self.horizon is not None or self.surgery_ids is not None:
            raise ValueError(
                "mode emergency chooses its own horizon and cases: leave out horizon and "
                "surgery_ids"
            )
        return self

    def ask(self, *, default_time_limit: float) -> Ask | EmergencyAsk:
        if self.mode == "emergency":
            return self._emergency()
        assert self.horizon is not None  # checked by `_mode_fields`
        return Ask(
            first=self.horizon.start_date,
            last=self.horizon.end_date,
            room_ids=self.room_ids,
            surgery_ids=self.surgery_ids,
            locked_ids=frozenset(self.locked_surgery_ids),
            respect_blocks=True if self.respect_blocks is None else self.respect_blocks,
            time_limit_seconds=self.time_limit_seconds or default_time_limit,
            objective_weights=self.objective_weights or ObjectiveWeights(),
        )

    def _emergency(self) -> EmergencyAsk:
        return EmergencyAsk(
            surgery_ids=tuple(self.emergency_surgery_ids or ()),
            room_ids=self.room_ids,
            locked_ids=frozenset(self.locked_surgery_ids),
            respect_blocks=bool(self.respect_blocks),
            time_limit_seconds=self.time_limit_seconds or insertion.TIME_LIMIT_SECONDS,
            objective_weights=self.objective_weights or insertion.WEIGHTS,
        )


class HorizonPublic(BaseModel):
    start_date: date
    end_date: date
    timezone: str


class ProblemSize(BaseModel):
    cases: int
    rooms: int
    staff: int
    equipment_units: int
    blocks: int


class OptimizationSummary(BaseModel):
    request_id: uuid.UUID
    status: OptimizationStatus
    horizon: HorizonPublic
    requested_by: uuid.UUID | None
    requested_at: datetime
    answered_at: datetime | None
    decided_by: uuid.UUID | None
    decided_at: datetime | None
    run_id: uuid.UUID | None = Field(description="The optimizer's run that answered.")
    size: ProblemSize = Field(description="What the problem sent to the optimizer holds.")
    version: int

    @classmethod
    def of(cls, row: Any, timezone: str) -> Self:
        values = dict(row._mapping)
        values["horizon"] = HorizonPublic(
            start_date=row.horizon_start, end_date=row.horizon_end, timezone=timezone
        )
        values["size"] = ProblemSize(
            cases=row.case_count,
            rooms=row.room_count,
            staff=row.staff_count,
            equipment_units=row.unit_count,
            blocks=row.block_count,
        )
        return cls.model_validate(values)


class StaffPublic(BaseModel):
    staff_id: uuid.UUID
    role: StaffRole | None = Field(description="The role they fill; null if no longer known.")


class PlacementPublic(BaseModel):
    room_id: uuid.UUID
    start: datetime = Field(description="Wheels in, as planned.")
    end: datetime = Field(description="Wheels out: start plus the expected duration.")
    staff: list[StaffPublic] = Field(description="The surgeon first, then everyone else.")
    equipment_unit_ids: list[uuid.UUID]

    @classmethod
    def of(
        cls, where: Placement, surgeon_id: uuid.UUID | None, roles: Mapping[uuid.UUID, Any]
    ) -> Self:
        surgeon = [StaffPublic(staff_id=surgeon_id, role=StaffRole.SURGEON)] if surgeon_id else []
        others = [StaffPublic(staff_id=s, role=roles.get(s)) for s in sorted(where.staff_ids)]
        return cls(
            room_id=where.room_id,
            start=where.start,
            end=where.end,
            staff=surgeon + others,
            equipment_unit_ids=sorted(where.unit_ids),
        )


class CaseChangePublic(BaseModel):
    surgery_id: uuid.UUID
    change: Change = Field(
        description="moved (booked now, placed elsewhere), added (waiting now, placed), "
        "unchanged, unscheduled (waiting now, left out), unbooked (booked now, left out by the "
        "plan; applying leaves its booking as it is)."
    )
    status: SurgeryStatus | None = Field(description="The case's status now.")
    current: PlacementPublic | None
    proposed: PlacementPublic | None
    differences: list[Literal["room", "time", "staff", "units"]] = Field(
        description="What a move changes."
    )
    reason: str | None = Field(description="Why the plan leaves the case out.")
    detail: str | None = None
    changed_since_request: bool = Field(
        description="The case changed after the request: the proposal is stale."
    )

    @classmethod
    def of(cls, change: CaseChange, found: Optimization) -> Self:
        case_id = change.case_id
        surgeon = found.surgeons.get(case_id)
        booked = found.booked_roles.get(case_id, {})
        proposed_roles = {
            s: found.role(case_id, s) for s in getattr(change.proposed, "staff_ids", ())
        }
        return cls(
            surgery_id=case_id,
            change=change.change,
            status=found.statuses.get(case_id),
            current=PlacementPublic.of(change.current, surgeon, booked) if change.current else None,
            proposed=(
                PlacementPublic.of(change.proposed, surgeon, proposed_roles)
                if change.proposed
                else None
            ),
            differences=list(change.differences),
            reason=change.reason,
            detail=change.detail,
            changed_since_request=change.changed_since_request,
        )


class Failure(BaseModel):
    reason: str
    message: str
    details: list[dict[str, Any]] = []


class ProposalPublic(BaseModel):
    kpis: PlanKpis
    solver: SolverReport
    counts: dict[Change, int] | None = Field(
        description="Cases per kind of change; only while the proposal awaits a decision."
    )
    stale: bool | None = Field(
        description="Whether any case changed since the request: applying would be refused."
    )
    changed_case_ids: list[uuid.UUID] | None
    cases: list[CaseChangePublic] | None = Field(
        description="Each case of the problem against the current plan, what applying changes "
        "first; only while the proposal awaits a decision."
    )


class OptimizationPublic(OptimizationSummary):
    options: dict[str, Any] = Field(
        description="What was asked: rooms, cases, locked cases, blocks, time limit, weights; "
        "`left_out`, the cases kept out of the problem before solving and why; and "
        "`default_cases`, when no cases were named, how the default was chosen (eligible, "
        "chosen, beyond_capacity, surgeon_without_time, free_room_minutes, room_minutes_limit, "
        "cases_limit)."
    )
    proposal: ProposalPublic | None = None
    failure: Failure | None = None

    @classmethod
    def of(cls, found: Optimization, timezone: str) -> Self:
        row = found.row
        summary = OptimizationSummary.of(row, timezone)
        return cls(
            **dict(summary),
            options=row.options,
            proposal=_proposal(found),
            failure=Failure.model_validate(row.failure) if row.failure else None,
        )


def _proposal(found: Optimization) -> ProposalPublic | None:
    row, diff = found.row, found.diff
    if row.plan is None:
        return None
    return ProposalPublic(
        kpis=PlanKpis.model_validate(row.plan["kpis"]),
        solver=SolverReport.model_validate(row.solver),
        counts=diff.counts() if diff else None,
        stale=diff.stale if diff else None,
        changed_case_ids=list(diff.changed_case_ids) if diff else None,
        cases=[CaseChangePublic.of(c, found) for c in diff.cases] if diff else None,
    )
