"""Which room segments a case may go to, and the reason a coordinator would give when none."""

from __future__ import annotations

from datetime import timedelta

from contracts.vocabulary import StaffRole
from optimizer_service.domain.preparation import prepare

from tests.unit.optimizer.builders import at, block, case, person, problem, room, window


def test_a_person_available_only_outside_the_horizon_is_no_staff_for_the_case():
    s = person()
    nurse = person(StaffRole.SCRUB_NURSE, available_intervals=(window(3, 8, 16),))
    c = case(s, 60, roles=[StaffRole.SCRUB_NURSE])
    prepared = prepare(problem([c], [room()], [s, nurse], days=2))
    assert prepared.facts.cases[0].segments == []
    assert prepared.reasons[0][0] == "no_staff"


def test_a_person_without_availability_is_there_all_horizon():
    s = person()
    nurse = person(StaffRole.SCRUB_NURSE)
    c = case(s, 60, roles=[StaffRole.SCRUB_NURSE])
    prepared = prepare(problem([c], [room(days=2)], [s, nurse], days=2))
    assert len(prepared.facts.cases[0].segments) == 2


def test_a_case_needing_a_capability_no_room_has_is_no_capable_room():
    s = person()
    prepared = prepare(problem([case(s, 60, required_capabilities=("cardiac",))], [room()], [s]))
    assert prepared.reasons[0][0] == "no_capable_room"


def test_a_block_ending_off_the_whole_minute_keeps_its_last_minute_from_other_cases():
    owner, other = person(), person()
    r = room()
    late = block(r, 0, 8, 10, surgeon_id=owner.staff_id)
    late = late.model_copy(update={"end": late.end + timedelta(seconds=30)})
    cases = [case(owner, 60), case(other, 60)]
    facts = prepare(problem(cases, [r], [owner, other], blocks=[late])).facts
    minute = int((at(0, 10) - facts.timeline.origin).total_seconds() // 60)
    owned = [facts.segments[s] for s in facts.cases[0].segments]
    free = [facts.segments[s] for s in facts.cases[1].segments]
    # 10:00-10:01 is partly the block's: neither all the owner's nor unblocked
    assert [(g.start, g.end) for g in owned] == [(minute - 120, minute), (minute + 1, minute + 120)]
    assert [(g.start, g.end) for g in free] == [(minute + 1, minute + 120)]
