"""Turning placements in minutes back into a contract Plan, and explaining what was left out."""

from __future__ import annotations

from collections.abc import Container

from contracts.events.optimizer_schedules import FailureDetail, FailureReason
from contracts.planning import CaseAssignment, Plan, UnscheduledCase

from optimizer_service.domain.facts import Facts
from optimizer_service.domain.ledger import Placement
from optimizer_service.domain.outcome import Failed
from optimizer_service.domain.scoring import score

Reasons = dict[int, tuple[str, str]]


def assignment(facts: Facts, p: Placement) -> CaseAssignment:
    case = facts.cases[p.case].case
    if case.locked and case.current_booking is not None:
        return CaseAssignment(case_id=case.case_id, **case.current_booking.model_dump())
    return CaseAssignment(
        case_id=case.case_id,
        room_id=facts.room_ids[p.room],
        start=facts.timeline.moment(p.start),
        end=facts.timeline.moment(p.end),
        staff_ids=tuple(facts.staff_ids[s] for s in p.staff),
        equipment_unit_ids=tuple(facts.unit_ids[u] for u in p.units),
    )


def build_plan(facts: Facts, placements: dict[int, Placement], reasons: Reasons) -> Plan:
    assignments = tuple(assignment(facts, p) for _, p in sorted(placements.items()))
    unscheduled = tuple(
        UnscheduledCase(
            case_id=case.case.case_id,
            reason=reasons.get(case.index, ("no_capacity",))[0],
            detail=reasons.get(case.index, ("", "the plan's room time was used by other cases"))[1],
        )
        for case in facts.cases
        if case.index not in placements
    )
    return Plan(
        assignments=assignments, unscheduled=unscheduled, kpis=score(facts, placements).kpis
    )


def missing_mandatory(facts: Facts, placements: Container[int], reasons: Reasons) -> Failed | None:
    """A failure naming every mandatory case the plan leaves out, or None."""
    left_out = [c for c in facts.cases if c.mandatory and c.index not in placements]
    if not left_out:
        return None
    details = tuple(
        FailureDetail(
            code=reasons.get(c.index, ("no_capacity",))[0],
            message=f"{c.case.priority.value} case {c.case.case_id} cannot be scheduled: "
            + reasons.get(c.index, ("", "no room time is left for it"))[1],
            case_ids=(c.case.case_id,),
        )
        for c in left_out[:1000]
    )
    return Failed(
        FailureReason.INFEASIBLE,
        f"{len(left_out)} mandatory case(s) cannot be scheduled in the horizon",
        details,
    )
