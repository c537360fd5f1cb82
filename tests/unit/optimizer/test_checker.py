"""The independent checker names every kind of broken hard rule in a plan."""

from __future__ import annotations

from datetime import timedelta

import pytest
from contracts.planning import Plan, UnscheduledCase
from contracts.vocabulary import StaffRole, SurgeryPriority
from optimizer_service.domain.checker import check_plan
from optimizer_service.domain.outcome import Solved
from optimizer_service.domain.planner import baseline

from tests.unit.optimizer.builders import at, block, booking, case, person, problem, room, unit


def setting():
    """Two rooms, two surgeons, an anaesthetist and a C-arm: a valid plan to break."""
    s1, s2 = person(max_minutes_per_day=200), person()
    gas = person(StaffRole.ANAESTHETIST)
    general, cardiac = room("general"), room("cardiac")
    arm = unit(turnaround_minutes=30)
    cases = [
        case(s1, 60, setup_minutes=10, cleanup_minutes=10, roles=[StaffRole.ANAESTHETIST]),
        case(s2, 60, equipment_types=("c_arm",), required_capabilities=("cardiac",)),
    ]
    p = problem(cases, [general, cardiac], [s1, s2, gas], [arm], time_limit_seconds=2)
    outcome = baseline(p)
    assert isinstance(outcome, Solved)
    return p, outcome.plan


def moved(plan: Plan, index: int, **changes) -> Plan:
    assignments = list(plan.assignments)
    assignments[index] = assignments[index].model_copy(update=changes)
    return plan.model_copy(update={"assignments": tuple(assignments)})


def codes(p, plan) -> set[str]:
    return {v.code for v in check_plan(p, plan)}


def test_accepts_the_baseline_plan():
    p, plan = setting()
    assert check_plan(p, plan) == []


def test_rejects_a_case_that_overlaps_another_in_the_same_room_including_cleanup():
    p, plan = setting()
    a = {x.case_id: x for x in plan.assignments}
    first = a[p.cases[0].case_id]
    # the second case moves into the first case's room, starting during its cleanup
    start = first.end + timedelta(minutes=5)
    broken = moved(plan, 1, room_id=first.room_id, start=start, end=start + timedelta(minutes=60))
    assert {"room_double_booked", "missing_capability"} <= codes(p, broken)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (dict(start=at(0, 6), end=at(0, 7)), "outside_open_hours"),
        (dict(end=at(0, 11)), "wrong_duration"),
        (dict(start=at(-1, 9), end=at(-1, 10)), "outside_horizon"),
        (dict(staff_ids=()), "staff_mismatch"),
    ],
)
def test_rejects_a_single_broken_rule(change, code):
    p, plan = setting()
    first = next(x for x in plan.assignments if x.case_id == p.cases[0].case_id)
    index = plan.assignments.index(first)
    assert code in codes(p, moved(plan, index, **change))


def test_rejects_a_plan_without_a_mandatory_case():
    s = person()
    c = case(s, 60, priority=SurgeryPriority.URGENT)
    p = problem([c], [room()], [s])
    plan = Plan(
        unscheduled=(UnscheduledCase(case_id=c.case_id, reason="no_capacity"),),
        kpis=baseline(p).plan.kpis,
    )
    assert "mandatory_unscheduled" in codes(p, plan)
    assert "missing_case" in codes(p, Plan(kpis=plan.kpis))


def test_rejects_staff_unit_and_block_violations():
    mine, other = person(max_minutes_per_day=60), person()
    gas = person(StaffRole.ANAESTHETIST, available_intervals=())
    r = room()
    arm = unit(turnaround_minutes=30)
    cases = [
        case(mine, 60, roles=[StaffRole.ANAESTHETIST], equipment_types=("c_arm",)),
        case(mine, 60, roles=[StaffRole.ANAESTHETIST], equipment_types=("c_arm",)),
    ]
    p = problem(
        cases,
        [r, room()],
        [mine, other, gas],
        [arm],
        blocks=[block(r, 0, 8, 12, surgeon_id=other.staff_id)],
    )
    plan = Plan(
        assignments=tuple(
            booking(
                r,
                at(0, 8 + i, 10 * i),
                60,
                staff_ids=(gas.staff_id,),
                equipment_unit_ids=(arm.unit_id,),
            ).model_dump()
            | {"case_id": c.case_id}
            for i, c in enumerate(cases)
        ),
        kpis=baseline(p).plan.kpis,
    )
    found = codes(p, plan)
    assert {"not_in_block", "unit_double_booked", "over_daily_maximum"} <= found


def test_rejects_a_locked_case_that_moved_and_a_unit_that_does_not_match():
    s = person()
    r = room()
    c = case(s, 60, current_booking=booking(r, at(0, 9), 60), locked=True)
    other = case(s, 60, equipment_types=("c_arm",))
    p = problem([c, other], [r], [s], [unit()])
    plan = baseline(p).plan
    assert check_plan(p, plan) == []
    index = [x.case_id for x in plan.assignments].index(c.case_id)
    assert "locked_moved" in codes(p, moved(plan, index, start=at(0, 10), end=at(0, 11)))
    index = [x.case_id for x in plan.assignments].index(other.case_id)
    assert "equipment_mismatch" in codes(p, moved(plan, index, equipment_unit_ids=()))
