"""Phase 2 on its own: a case phase 1 put where it cannot be sequenced moves rooms."""

from __future__ import annotations

import itertools

from optimizer_service.domain.preparation import prepare
from optimizer_service.domain.sequencing import sequence_day

from tests.unit.optimizer.builders import case, person, problem, room


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
