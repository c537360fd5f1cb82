"""The decomposition's repair: a case phase 1 chose but phase 2 could not place goes first fit
anywhere it may, the mandatory ones first."""

from __future__ import annotations

from contracts.vocabulary import SurgeryPriority
from optimizer_service.domain.decomposition import reaches_into, repair
from optimizer_service.domain.ledger import Placement
from optimizer_service.domain.preparation import prepare

from tests.unit.optimizer.builders import at, booking, case, person, problem, room, unit


def first_segment(facts, c: int, day: int) -> int:
    return next(s for s in facts.cases[c].segments if facts.segments[s].day == day)


def test_places_a_case_phase_two_dropped_on_another_day():
    s1, s2, r = person(), person(), room(days=2)
    full = case(s1, 240, current_booking=booking(r, at(0, 8), 240), locked=True)
    prepared = prepare(problem([full, case(s2, 60)], [r], [s1, s2], days=2))
    facts = prepared.facts
    placements = repair(prepared, dict(prepared.locked), {1: first_segment(facts, 1, 0)})
    assert facts.timeline.day_of(placements[1].start) == 1


def test_places_the_mandatory_case_first_when_only_one_fits():
    s1, s2 = person(), person()
    elective = case(s1, 240)
    urgent = case(s2, 240, priority=SurgeryPriority.URGENT)
    prepared = prepare(problem([elective, urgent], [room()], [s1, s2]))
    choice = {0: first_segment(prepared.facts, 0, 0), 1: first_segment(prepared.facts, 1, 0)}
    placements = repair(prepared, {}, choice)
    assert set(placements) == {1}


def test_a_units_turnaround_past_midnight_reaches_into_the_next_day():
    s, c_arm = person(), unit(turnaround_minutes=90)
    prepared = prepare(
        problem([case(s, 50, equipment_types=("c_arm",))], [room()], [s], [c_arm], days=2)
    )
    facts = prepared.facts
    late = 24 * 60 - 60  # 23:00 on the first day, until 23:50, then 90 minutes of turnaround
    evening = Placement(0, 0, late, late + 50, (), (0,))
    assert reaches_into(facts, evening, 1)
    assert not reaches_into(facts, Placement(0, 0, 8 * 60, 9 * 60, (), ()), 1)
