"""Phase 1 on its own: cases to room segments of a day, within per-day minute budgets."""

from __future__ import annotations

from contracts.vocabulary import StaffRole, SurgeryPriority
from optimizer_service.domain.assignment import assign
from optimizer_service.domain.deadline import Deadline
from optimizer_service.domain.preparation import prepare

from tests.unit.optimizer.builders import at, booking, case, person, problem, room


def phase_one(p, prepared=None):
    prepared = prepared or prepare(p)
    return assign(
        prepared.facts, prepared.locked, {}, deadline=Deadline.after(2), gap=0.0, workers=1
    )


def test_a_surgeons_daily_maximum_keeps_the_second_case_for_the_next_day():
    s = person(max_minutes_per_day=120)
    cases = [case(s, 120, priority=SurgeryPriority.URGENT) for _ in range(2)]
    p = problem(cases, [room(days=2)], [s], days=2)
    prepared = prepare(p)
    found = phase_one(p, prepared)
    days = sorted(prepared.facts.segments[s].day for s in found.choice.values())
    assert days == [0, 1]


def test_a_locked_case_outside_open_hours_leaves_its_surgeons_open_time_whole():
    s, r = person(), room()
    evening = case(s, 60, current_booking=booking(r, at(0, 18), 60), locked=True)  # after closing
    whole_morning = case(s, 240, priority=SurgeryPriority.URGENT)
    found = phase_one(problem([evening, whole_morning], [r], [s]))
    assert not found.infeasible
    assert set(found.choice) == {1}


def test_a_nurse_busy_with_a_locked_case_has_only_the_rest_of_the_open_time():
    s1, s2 = person(), person()
    nurse = person(StaffRole.SCRUB_NURSE)
    r1, r2 = room(), room()
    locked = case(
        s1,
        120,
        roles=[StaffRole.SCRUB_NURSE],
        current_booking=booking(r1, at(0, 8), 120, staff_ids=(nurse.staff_id,)),
        locked=True,
    )
    cases = [locked, *(case(s2, 60, roles=[StaffRole.SCRUB_NURSE]) for _ in range(3))]
    found = phase_one(problem(cases, [r1, r2], [s1, s2, nurse]))
    # four hours of open time, two of them the locked case's: two more hours for the nurse
    assert len(found.choice) == 2
