"""The optimization problem is self-contained: every id it mentions is defined in it, once."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from contracts.examples.optimization import PROBLEM
from contracts.planning import (
    CaseAssignment,
    ObjectiveWeights,
    OptimizationProblem,
    Plan,
    PlanKpis,
    UnscheduledCase,
)
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

MONDAY_8 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def _problem(**changes) -> OptimizationProblem:
    return OptimizationProblem.model_validate(PROBLEM.model_dump() | changes)


def _first_case(**changes) -> list[dict]:
    cases = [case.model_dump() for case in PROBLEM.cases]
    cases[0] |= changes
    return cases


def _booking(**changes) -> dict:
    booking = {
        "room_id": PROBLEM.rooms[0].room_id,
        "start": MONDAY_8,
        "end": MONDAY_8 + timedelta(hours=2),
        "staff_ids": [PROBLEM.staff[0].staff_id],
        "equipment_unit_ids": [PROBLEM.equipment_units[0].unit_id],
    }
    return booking | changes


def test_example_problem_round_trips_through_json():
    assert OptimizationProblem.model_validate_json(PROBLEM.model_dump_json()) == PROBLEM


def test_optimization_problem_rejects_case_referencing_unknown_room():
    unknown = uuid.uuid4()
    with pytest.raises(ValidationError, match=f"current_booking.room_id {unknown} is not one of"):
        _problem(cases=_first_case(current_booking=_booking(room_id=unknown)))


def test_optimization_problem_rejects_booking_with_unknown_staff_or_unit():
    staff, unit = uuid.uuid4(), uuid.uuid4()
    booking = _booking(staff_ids=[staff], equipment_unit_ids=[unit])
    with pytest.raises(ValidationError) as caught:
        _problem(cases=_first_case(current_booking=booking))
    assert f"unknown staff member {staff}" in str(caught.value)
    assert f"unknown unit {unit}" in str(caught.value)


def test_optimization_problem_rejects_surgeon_who_is_not_a_surgeon():
    anaesthetist = PROBLEM.staff[1].staff_id
    with pytest.raises(ValidationError, match=f"cases\\[0\\] .*surgeon_id {anaesthetist} is not"):
        _problem(cases=_first_case(surgeon_id=anaesthetist))


def test_optimization_problem_rejects_a_case_listed_twice():
    cases = [case.model_dump() for case in PROBLEM.cases]
    with pytest.raises(ValidationError, match=f"case {cases[0]['case_id']} occurs more than once"):
        _problem(cases=[*cases, cases[0]])


def test_optimization_problem_rejects_block_in_unknown_room():
    block = PROBLEM.blocks[0].model_dump() | {"room_id": uuid.uuid4()}
    with pytest.raises(ValidationError, match=r"blocks\[0\] .*room_id .* is not one of the rooms"):
        _problem(blocks=[block])


def test_optimization_problem_reports_every_inconsistency_at_once():
    rooms = [PROBLEM.rooms[0].model_dump()] * 2
    block = PROBLEM.blocks[0].model_dump() | {"room_id": uuid.uuid4()}
    with pytest.raises(
        ValidationError, match=r"2 inconsistencies: room .* occurs more than once; "
    ):
        _problem(rooms=rooms, blocks=[block])


def test_optimization_problem_needs_a_room():
    with pytest.raises(ValidationError, match="rooms"):
        _problem(rooms=[], blocks=[])


def test_locked_case_needs_a_booking_to_keep():
    with pytest.raises(ValidationError, match="a locked case needs a current_booking"):
        _problem(cases=_first_case(locked=True))
    assert _problem(cases=_first_case(locked=True, current_booking=_booking())).cases[0].locked


def test_case_needs_a_positive_duration():
    with pytest.raises(ValidationError, match="duration_minutes"):
        _problem(cases=_first_case(duration_minutes=0))


def test_interval_rejects_end_before_start():
    room = PROBLEM.rooms[0].model_dump()
    room["open_intervals"] = [{"start": MONDAY_8, "end": MONDAY_8}]
    with pytest.raises(ValidationError, match=r"end .* must be after start"):
        _problem(rooms=[room])


def test_intervals_arrive_in_any_offset_and_are_kept_in_utc():
    room = PROBLEM.rooms[0].model_dump()
    room["open_intervals"] = [
        {"start": "2026-12-07T08:30:00+01:00", "end": "2026-12-07T17:30+01:00"}
    ]
    window = _problem(rooms=[room]).rooms[0].open_intervals[0]
    assert window.start == datetime(2026, 12, 7, 7, 30, tzinfo=UTC)
    assert window.start.tzinfo is UTC


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (date(2026, 12, 7), date(2026, 12, 6), "end_date 2026-12-06 is before start_date"),
        (date(2026, 1, 1), date(2027, 1, 2), "at most 366 days"),
    ],
)
def test_horizon_is_a_sane_range_of_dates(start, end, message):
    horizon = PROBLEM.horizon.model_dump() | {"start_date": start, "end_date": end}
    with pytest.raises(ValidationError, match=message):
        _problem(horizon=horizon)


def test_objective_weights_have_documented_defaults():
    weights = ObjectiveWeights()
    assert weights.unscheduled_emergency > weights.unscheduled_urgent > weights.unscheduled_elective
    for name, field in ObjectiveWeights.model_fields.items():
        assert field.description, name
    assert PROBLEM.objective_weights == weights
    assert PROBLEM.respect_blocks


@st.composite
def _problems(draw):
    """Problems whose references all resolve, with shuffled sizes and choices."""
    rooms = draw(st.lists(st.uuids(), min_size=1, max_size=4, unique=True))
    surgeons = draw(st.lists(st.uuids(), min_size=1, max_size=4, unique=True))
    cases = []
    for case_id in draw(st.lists(st.uuids(), max_size=6, unique=True)):
        booked = draw(st.booleans())
        room = draw(st.sampled_from(rooms))
        booking = _booking(room_id=room, staff_ids=[], equipment_unit_ids=[]) if booked else None
        cases.append(
            {
                "case_id": case_id,
                "surgeon_id": draw(st.sampled_from(surgeons)),
                "duration_minutes": draw(st.integers(1, 600)),
                "priority": draw(st.sampled_from(["elective", "urgent", "emergency"])),
                "current_booking": booking,
            }
        )
    return {
        "horizon": PROBLEM.horizon.model_dump(),
        "cases": cases,
        "rooms": [{"room_id": r} for r in rooms],
        "staff": [{"staff_id": s, "roles": ["surgeon"]} for s in surgeons],
    }


@given(_problems())
def test_problems_whose_references_resolve_are_accepted(problem):
    assert len(OptimizationProblem.model_validate(problem).cases) == len(problem["cases"])


@given(_problems(), st.data())
def test_removing_a_referenced_room_is_always_caught(problem, data):
    booked = [c for c in problem["cases"] if c["current_booking"]]
    if not booked:
        return
    room = data.draw(st.sampled_from([c["current_booking"]["room_id"] for c in booked]))
    problem["rooms"] = [r for r in problem["rooms"] if r["room_id"] != room] or [
        {"room_id": uuid.uuid4()}
    ]
    with pytest.raises(ValidationError, match=f"room_id {room} is not one of the rooms"):
        OptimizationProblem.model_validate(problem)


def _plan(assignments=(), unscheduled=()) -> Plan:
    kpis = PlanKpis(
        scheduled_cases=len(assignments),
        unscheduled_cases=len(unscheduled),
        utilization=0.5,
        idle_minutes=0,
        overtime_minutes=0,
    )
    return Plan(assignments=assignments, unscheduled=unscheduled, kpis=kpis)


def test_plan_places_each_case_once_or_says_why_not():
    case = uuid.uuid4()
    assignment = CaseAssignment(
        case_id=case, room_id=uuid.uuid4(), start=MONDAY_8, end=MONDAY_8 + timedelta(hours=1)
    )
    assert _plan(assignments=[assignment]).assignments[0].case_id == case
    with pytest.raises(ValidationError, match=f"case {case} occurs more than once"):
        _plan(
            assignments=[assignment], unscheduled=[UnscheduledCase(case_id=case, reason="no_staff")]
        )
