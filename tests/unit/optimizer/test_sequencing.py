"""Phase 2 on its own: start times, teams and units for one day's cases in their segments."""

from __future__ import annotations

import itertools

from contracts.planning import PlanningRoom
from contracts.vocabulary import StaffRole
from optimizer_service.domain.preparation import prepare
from optimizer_service.domain.sequencing import sequence_day

from tests.unit.optimizer.builders import at, booking, case, person, problem, room, window


def test_moves_a_case_to_another_open_room_of_the_day_rather_than_drop_it():
    s1, s2, s3 = person(), person(), person()
    first, second = room(), room()
    cases = [case(s1, 150), case(s2, 120), case(s3, 60)]
    facts = prepare(problem(cases, [first, second], [s1, s2, s3])).facts
    segment = {facts.segments[s].room: s for s in range(len(facts.segments))}
    # 150 + 120 minutes do not fit the first room's four hours; the second room has room
    chosen = {0: segment[0], 1: segment[0], 2: segment[1]}
    placed = sequence_day(facts, 0, chosen, [], {}, seconds=2, workers=1)
    assert set(placed) == {0, 1, 2}
    assert {placed[0].room, placed[1].room} == {0, 1}
    in_second = sorted((p.start, p.end) for p in placed.values() if p.room == 1)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(in_second))


def split_room() -> PlanningRoom:
    """Open 08:00-10:00 and 11:00-13:00: two sessions a day."""
    return room().model_copy(update={"open_intervals": (window(0, 8, 10), window(0, 11, 13))})


def test_a_room_open_twice_a_day_takes_a_case_in_either_session():
    s = person()
    facts = prepare(problem([case(s, 60)], [split_room()], [s])).facts
    placed = sequence_day(facts, 0, {0: 0}, [], {}, seconds=2, workers=1)
    assert placed[0].room == 0
    assert any(g.start <= placed[0].start and placed[0].end <= g.end for g in facts.segments)


def test_a_person_with_two_roles_fills_only_one_of_them():
    s = person()
    both = person(StaffRole.SCRUB_NURSE, StaffRole.CIRCULATING_NURSE)
    circulating = person(StaffRole.CIRCULATING_NURSE)
    c = case(s, 60, roles=[StaffRole.SCRUB_NURSE, StaffRole.CIRCULATING_NURSE])
    facts = prepare(problem([c], [room()], [s, both, circulating])).facts
    placed = sequence_day(facts, 0, {0: 0}, [], {}, seconds=2, workers=1)
    assert sorted(placed[0].staff) == [1, 2]


def test_a_locked_booking_longer_than_its_case_keeps_the_room_to_its_end():
    s1, s2, r = person(), person(), room(hours=(8, 11))
    long_booked = case(s1, 60, current_booking=booking(r, at(0, 8), 120), locked=True)
    prepared = prepare(problem([long_booked, case(s2, 90)], [r], [s1, s2]))
    # 08:00-10:00 is the booking's, so 90 minutes no longer fit before 11:00
    placed = sequence_day(
        prepared.facts, 0, {1: 0}, list(prepared.locked.values()), {}, seconds=2, workers=1
    )
    assert 1 not in placed


def test_locked_minutes_over_a_daily_maximum_leave_the_rest_of_the_day_plannable():
    s1, s2, r = person(), person(max_minutes_per_day=60), room(hours=(8, 16))
    locked = case(s2, 90, current_booking=booking(r, at(0, 8), 90), locked=True)
    prepared = prepare(problem([locked, case(s1, 60)], [r], [s1, s2]))
    placed = sequence_day(
        prepared.facts, 0, {1: 0}, list(prepared.locked.values()), {}, seconds=2, workers=1
    )
    assert 1 in placed
