"""Locked cases stay exactly where they are; re-planning moves few of the current bookings."""

from __future__ import annotations

from contracts.vocabulary import StaffRole, SurgeryPriority
from optimizer_service.domain.checker import check_plan
from optimizer_service.domain.outcome import Solved
from optimizer_service.domain.planner import baseline, optimize
from optimizer_service.instances import generate

from tests.unit.optimizer.builders import at, booking, case, person, problem, room


def test_locked_case_keeps_its_room_start_and_staff_exactly():
    s, gas = person(), person(StaffRole.ANAESTHETIST)
    r1, r2 = room(), room()
    kept = booking(r2, at(0, 9, 7), 60, staff_ids=(gas.staff_id,))
    locked = case(s, 60, roles=[StaffRole.ANAESTHETIST], current_booking=kept, locked=True)
    other = case(s, 60, roles=[StaffRole.ANAESTHETIST])
    p = problem([locked, other], [r1, r2], [s, gas])
    outcome = optimize(p)
    assert isinstance(outcome, Solved)
    assert check_plan(p, outcome.plan) == []
    got = {a.case_id: a for a in outcome.plan.assignments}[locked.case_id]
    assert (got.room_id, got.start, got.end, got.staff_ids) == (
        r2.room_id,
        kept.start,
        kept.end,
        kept.staff_ids,
    )


def test_emergency_add_on_moves_few_current_bookings():
    surgeons = [person() for _ in range(4)]
    rooms = [room(), room()]
    cases = []
    for i, s in enumerate(surgeons):
        start = at(0, 8 + 2 * (i // 2))
        cases.append(case(s, 90, current_booking=booking(rooms[i % 2], start, 90)))
    emergency = case(surgeons[0], 60, priority=SurgeryPriority.EMERGENCY)
    p = problem([*cases, emergency], rooms, surgeons)
    outcome = optimize(p)
    assert isinstance(outcome, Solved)
    assert check_plan(p, outcome.plan) == []
    assert outcome.plan.kpis.moved_cases <= 1
    assert emergency.case_id in {a.case_id for a in outcome.plan.assignments}


def test_the_same_problem_and_seed_with_one_worker_give_the_same_plan():
    p = generate(2, 3, 20, seed=4, time_limit_seconds=5)
    first, second = optimize(p, workers=1, seed=7), optimize(p, workers=1, seed=7)
    assert isinstance(first, Solved) and isinstance(second, Solved)
    assert first.plan == second.plan


def test_a_locked_booking_listing_its_surgeon_among_its_staff_is_kept_and_checked():
    s, r = person(max_minutes_per_day=90), room()
    kept = booking(r, at(0, 9), 60, staff_ids=(s.staff_id,))
    locked = case(s, 60, current_booking=kept, locked=True)
    p = problem([locked, case(s, 30)], [r], [s])
    for outcome in (optimize(p, workers=1), baseline(p)):
        assert isinstance(outcome, Solved), outcome
        assert check_plan(p, outcome.plan) == []
        assert len(outcome.plan.assignments) == 2
