"""Phase 1 on its own: cases to room segments of a day, within per-day minute budgets."""

from __future__ import annotations

import time

from contracts.vocabulary import StaffRole, SurgeryPriority
from optimizer_service.domain.assignment import Stall, assign
from optimizer_service.domain.baseline import greedy_placements
from optimizer_service.domain.deadline import Deadline
from optimizer_service.domain.decomposition import segment_choice
from optimizer_service.domain.plans import missing_mandatory
from optimizer_service.domain.preparation import prepare
from optimizer_service.instances import generate

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


def test_a_search_that_levels_off_hands_its_time_back():
    # No gain short of half the objective counts, so the search stops a second after its first
    # solution (the 5-day instance is not proven optimal in minutes) rather than at its
    # deadline, and does not spend the rest on the booked-minutes tie-break either.
    prepared = prepare(generate(5, 10, 150, seed=1))
    facts = prepared.facts
    hint = segment_choice(facts, greedy_placements(prepared, Deadline.after(10)))
    started = time.monotonic()
    found = assign(
        facts,
        prepared.locked,
        hint,
        deadline=Deadline.after(120),
        gap=0.0,
        workers=1,
        stall=Stall(Deadline.after(120), seconds=1.0, gain=0.5),
    )
    assert time.monotonic() - started < 60
    assert found is not None and not found.optimal and found.cheapest is None
    assert missing_mandatory(facts, found.choice, prepared.reasons) is None
