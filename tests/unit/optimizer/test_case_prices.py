"""Prices a case carries itself: its own move weight (instead of `moved_case`) and a cost per
minute its start is delayed, honoured by both phases and by the objective."""

from __future__ import annotations

import pytest
from contracts.planning import ObjectiveWeights
from contracts.vocabulary import SurgeryPriority
from optimizer_service.domain.checker import check_plan
from optimizer_service.domain.outcome import Solved
from optimizer_service.domain.planner import optimize

from tests.unit.optimizer.builders import at, booking, case, person, problem, room


def _starts(outcome) -> dict:
    assert isinstance(outcome, Solved), outcome
    return {a.case_id: (a.room_id, a.start) for a in outcome.plan.assignments}


@pytest.mark.parametrize("heavy", ["first", "last"])
def test_a_heavier_move_weight_moves_the_cheaper_case_instead(heavy):
    theatre, spare = room("cardiac"), room()
    s1, s2, s3 = person(), person(), person()
    first = case(s1, 60, current_booking=booking(theatre, at(0, 8), 60))
    last = case(s2, 60, current_booking=booking(theatre, at(0, 11), 60))
    kept, moved = (first, last) if heavy == "first" else (last, first)
    kept = kept.model_copy(update={"move_weight": 5_000})
    emergency = case(
        s3, 180, priority=SurgeryPriority.EMERGENCY, required_capabilities=("cardiac",)
    )
    p = problem([kept, moved, emergency], [theatre, spare], [s1, s2, s3])
    outcome = optimize(p, workers=1)
    starts = _starts(outcome)
    assert not check_plan(p, outcome.plan)
    assert starts[kept.case_id] == (theatre.room_id, kept.current_booking.start)
    assert starts[moved.case_id] != (theatre.room_id, moved.current_booking.start)
    assert outcome.plan.kpis.moved_cases == 1


@pytest.mark.parametrize(("delay", "emergency_start"), [(None, at(0, 9)), (5, at(0, 8))])
def test_a_start_delay_cost_puts_the_emergency_first(delay, emergency_start):
    theatre = room()
    s = person()
    booked = case(s, 60, current_booking=booking(theatre, at(0, 8), 60))
    emergency = case(s, 60, priority=SurgeryPriority.EMERGENCY, start_delay_per_minute=delay)
    outcome = optimize(problem([booked, emergency], [theatre], [s]), workers=1)
    assert _starts(outcome)[emergency.case_id] == (theatre.room_id, emergency_start)


def test_an_emergency_with_a_start_delay_takes_the_earliest_booked_slot_and_nothing_else_moves():
    theatre = room()
    surgeons = [person() for _ in range(5)]
    booked = [
        case(s, 60, current_booking=booking(theatre, at(0, 8 + h), 60))
        for h, s in enumerate(surgeons[:4])
    ]  # the room is full, 08:00-12:00
    emergency = case(surgeons[4], 60, priority=SurgeryPriority.EMERGENCY, start_delay_per_minute=2)
    weights = ObjectiveWeights(idle_minute=0, moved_case=100, unscheduled_elective=5_000)
    p = problem([*booked, emergency], [theatre], surgeons, objective_weights=weights)
    outcome = optimize(p, workers=1)
    starts = _starts(outcome)
    assert starts[emergency.case_id] == (theatre.room_id, at(0, 8))
    assert booked[0].case_id not in starts
    assert all(starts[c.case_id] == (theatre.room_id, c.current_booking.start) for c in booked[1:])
