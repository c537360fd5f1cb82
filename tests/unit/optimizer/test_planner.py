"""The optimizer finds known optima and keeps every hard rule binding in solved instances."""

from __future__ import annotations

from contracts.events.optimizer_schedules import FailureReason
from contracts.planning import SolverStatus
from contracts.vocabulary import StaffRole, SurgeryPriority
from optimizer_service.domain.checker import check_plan
from optimizer_service.domain.outcome import Failed, Solved
from optimizer_service.domain.planner import optimize

from tests.unit.optimizer.builders import at, block, case, person, problem, room, unit, window


def solved(p) -> Solved:
    outcome = optimize(p, workers=2)
    assert isinstance(outcome, Solved), outcome
    assert check_plan(p, outcome.plan) == []
    return outcome


def placed(outcome: Solved) -> dict:
    return {a.case_id: a for a in outcome.plan.assignments}


def test_packs_the_two_cases_that_fill_the_room_over_the_one_long_case():
    s = person()
    cases = [case(s, 120), case(s, 120), case(s, 200)]
    outcome = solved(problem(cases, [room()], [s]))
    # one elective left out (100) + one room-day (60) + no idle minute
    assert outcome.report.objective == 160
    assert outcome.report.status == SolverStatus.OPTIMAL
    assert set(placed(outcome)) == {cases[0].case_id, cases[1].case_id}


def test_never_places_two_cases_in_one_room_at_once_counting_setup_and_cleanup():
    s1, s2 = person(), person()
    cases = [case(s1, 90, setup_minutes=15, cleanup_minutes=15), case(s2, 90, setup_minutes=15)]
    outcome = solved(problem(cases, [room()], [s1, s2]))
    first, second = sorted(placed(outcome).values(), key=lambda a: a.start)
    assert len(placed(outcome)) == 2
    assert second.start - first.end >= (at(0, 0, 30) - at(0, 0))


def test_one_anaesthetist_is_never_in_two_rooms_at_once():
    s1, s2, gas = person(), person(), person(StaffRole.ANAESTHETIST)
    cases = [case(s, 120, roles=[StaffRole.ANAESTHETIST]) for s in (s1, s2)]
    outcome = solved(problem(cases, [room(), room()], [s1, s2, gas]))
    a, b = sorted(placed(outcome).values(), key=lambda a: a.start)
    assert a.staff_ids == b.staff_ids == (gas.staff_id,)
    assert b.start >= a.end


def test_equipment_unit_waits_for_its_turnaround():
    s1, s2, arm = person(), person(), unit(turnaround_minutes=30)
    cases = [case(s, 100, equipment_types=("c_arm",)) for s in (s1, s2)]
    outcome = solved(problem(cases, [room(), room()], [s1, s2], [arm]))
    a, b = sorted(placed(outcome).values(), key=lambda a: a.start)
    assert (b.start - a.end).total_seconds() >= 30 * 60


def test_surgeon_daily_maximum_leaves_the_second_case_out():
    s = person(max_minutes_per_day=150)
    cases = [case(s, 100), case(s, 100)]
    # a short day: opening the room for one case is worth it
    outcome = solved(problem(cases, [room(hours=(8, 10)), room(hours=(8, 10))], [s]))
    assert len(placed(outcome)) == 1


def test_case_goes_only_to_a_room_with_its_capabilities():
    s = person()
    cardiac, general = room("cardiac"), room("general")
    c = case(s, 60, required_capabilities=("cardiac",))
    outcome = solved(problem([c], [general, cardiac], [s]))
    assert placed(outcome)[c.case_id].room_id == cardiac.room_id


def test_respected_blocks_keep_a_case_out_of_another_surgeons_block():
    mine, other = person(), person()
    r1, r2 = room(), room()
    blocks = [
        block(r1, 0, 8, 12, surgeon_id=other.staff_id),
        block(r2, 0, 8, 12, surgeon_id=mine.staff_id),
    ]
    c = case(mine, 60)
    outcome = solved(problem([c], [r1, r2], [mine, other], blocks=blocks))
    assert placed(outcome)[c.case_id].room_id == r2.room_id


def test_case_waits_for_its_earliest_date_and_staff_availability():
    s = person(available_intervals=(window(1, 10, 12), window(2, 8, 12)))
    c = case(s, 60, earliest_date=at(1, 0).date())
    outcome = solved(problem([c], [room(days=3)], [s], days=3))
    a = placed(outcome)[c.case_id]
    assert a.start >= at(1, 10)
    assert a.start.date() == at(1, 0).date()  # the first day costs no waiting


def test_mandatory_case_that_no_room_can_take_is_explained():
    s = person()
    c = case(s, 60, priority=SurgeryPriority.EMERGENCY, required_capabilities=("neuro",))
    outcome = optimize(problem([c], [room("general")], [s]))
    assert isinstance(outcome, Failed)
    assert outcome.reason == FailureReason.INFEASIBLE
    assert outcome.details[0].code == "no_capable_room"
    assert outcome.details[0].case_ids == (c.case_id,)


def test_mandatory_cases_that_together_overflow_the_room_are_infeasible():
    s1, s2 = person(), person()
    cases = [case(s, 180, priority=SurgeryPriority.URGENT) for s in (s1, s2)]
    outcome = optimize(problem(cases, [room()], [s1, s2]))
    assert isinstance(outcome, Failed)
    assert outcome.reason == FailureReason.INFEASIBLE
    assert outcome.details


def test_mandatory_case_outside_its_blocks_is_explained_as_not_in_block():
    mine, other = person(), person()
    r = room()
    c = case(mine, 60, priority=SurgeryPriority.URGENT)
    p = problem([c], [r], [mine, other], blocks=[block(r, 0, 8, 12, surgeon_id=other.staff_id)])
    outcome = optimize(p)
    assert isinstance(outcome, Failed)
    assert outcome.details[0].code == "not_in_block"


def test_elective_that_fits_nowhere_is_unscheduled_with_its_reason():
    s = person()
    c = case(s, 300)
    outcome = solved(problem([c], [room()], [s]))
    assert outcome.plan.unscheduled[0].reason == "no_capacity"


def test_of_two_plans_of_equal_cost_the_one_booking_more_minutes_wins():
    s = person()
    short, long = case(s, 120), case(s, 200)
    outcome = solved(problem([short, long], [room()], [s]))
    # either case alone costs the same: the other left out (100) + one room-day (60)
    assert outcome.report.objective == 160
    assert set(placed(outcome)) == {long.case_id}
    assert outcome.plan.kpis.booked_minutes == 200
