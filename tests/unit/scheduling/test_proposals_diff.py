"""A proposal against the current plan, on hand-made plans: no I/O."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from contracts.planning import CaseAssignment, Plan, PlanKpis, UnscheduledCase
from scheduling_service.domain.proposals import Change, Placement, changed_cases, diff

ROOM, OTHER_ROOM = uuid.uuid4(), uuid.uuid4()
NURSE, OTHER_NURSE = uuid.uuid4(), uuid.uuid4()
UNIT = uuid.uuid4()
NINE = datetime(2031, 3, 5, 8, 0, tzinfo=UTC)
KPIS = PlanKpis(
    scheduled_cases=0, unscheduled_cases=0, utilization=0, idle_minutes=0, overtime_minutes=0
)


def assignment(case_id: uuid.UUID, start: datetime = NINE, **changes) -> CaseAssignment:
    values = {
        "case_id": case_id,
        "room_id": ROOM,
        "start": start,
        "end": start + timedelta(minutes=90),
        "staff_ids": (NURSE,),
        "equipment_unit_ids": (UNIT,),
    }
    return CaseAssignment(**(values | changes))


def booked(start: datetime = NINE, **changes) -> Placement:
    values = {
        "room_id": ROOM,
        "start": start,
        "end": start + timedelta(minutes=90),
        "staff_ids": frozenset({NURSE}),
        "unit_ids": frozenset({UNIT}),
    }
    return Placement(**(values | changes))


def plan(*assignments: CaseAssignment, unscheduled: tuple[UnscheduledCase, ...] = ()) -> Plan:
    return Plan(assignments=assignments, unscheduled=unscheduled, kpis=KPIS)


def versions(*ids: uuid.UUID) -> dict[uuid.UUID, int]:
    return dict.fromkeys(ids, 3)


def test_a_booked_case_placed_exactly_where_it_is_is_unchanged() -> None:
    case = uuid.uuid4()
    found = diff(
        plan(assignment(case)),
        {case: booked()},
        versions_then=versions(case),
        versions_now=versions(case),
    )
    [change] = found.cases
    assert change.change == Change.UNCHANGED
    assert change.differences == ()
    assert found.to_apply() == {}


def test_a_booked_case_placed_at_another_time_or_room_is_moved_and_says_what_changes() -> None:
    later, elsewhere = uuid.uuid4(), uuid.uuid4()
    found = diff(
        plan(
            assignment(later, NINE + timedelta(hours=2)),
            assignment(elsewhere, room_id=OTHER_ROOM),
        ),
        {later: booked(), elsewhere: booked()},
        versions_then=versions(later, elsewhere),
        versions_now=versions(later, elsewhere),
    )
    changes = {c.case_id: c for c in found.cases}
    assert changes[later].change == changes[elsewhere].change == Change.MOVED
    assert changes[later].differences == ("time",)
    assert changes[elsewhere].differences == ("room",)
    assert changes[later].current == booked()
    assert changes[later].proposed == booked(NINE + timedelta(hours=2))


def test_a_booked_case_given_other_people_or_units_is_moved_too() -> None:
    case = uuid.uuid4()
    found = diff(
        plan(assignment(case, staff_ids=(OTHER_NURSE,), equipment_unit_ids=())),
        {case: booked()},
        versions_then=versions(case),
        versions_now=versions(case),
    )
    assert found.cases[0].change == Change.MOVED
    assert found.cases[0].differences == ("staff", "units")


def test_a_waiting_case_the_plan_places_is_added_and_is_applied() -> None:
    case = uuid.uuid4()
    found = diff(
        plan(assignment(case)), {}, versions_then=versions(case), versions_now=versions(case)
    )
    [change] = found.cases
    assert change.change == Change.ADDED
    assert change.current is None
    assert found.to_apply() == {case: booked()}


def test_cases_the_plan_leaves_out_are_unscheduled_or_unbooked_with_the_reason() -> None:
    waiting, booked_now = uuid.uuid4(), uuid.uuid4()
    found = diff(
        plan(
            unscheduled=(
                UnscheduledCase(case_id=waiting, reason="no_capacity"),
                UnscheduledCase(case_id=booked_now, reason="no_staff", detail="nobody"),
            )
        ),
        {booked_now: booked()},
        versions_then=versions(waiting, booked_now),
        versions_now=versions(waiting, booked_now),
    )
    changes = {c.case_id: c for c in found.cases}
    assert (changes[waiting].change, changes[waiting].reason) == (Change.UNSCHEDULED, "no_capacity")
    assert changes[booked_now].change == Change.UNBOOKED
    assert (changes[booked_now].reason, changes[booked_now].detail) == ("no_staff", "nobody")
    assert changes[booked_now].current == booked()
    assert found.to_apply() == {}


def test_cases_kept_out_before_solving_are_listed_with_their_reason() -> None:
    case, kept_out = uuid.uuid4(), uuid.uuid4()
    found = diff(
        plan(assignment(case)),
        {},
        versions_then=versions(case),
        versions_now=versions(case),
        left_out=[UnscheduledCase(case_id=kept_out, reason="no_staff")],
    )
    assert {c.case_id: c.change for c in found.cases} == {
        case: Change.ADDED,
        kept_out: Change.UNSCHEDULED,
    }


def test_plan_entries_for_cases_the_problem_did_not_have_are_ignored() -> None:
    case, stranger = uuid.uuid4(), uuid.uuid4()
    found = diff(
        plan(assignment(case), assignment(stranger, NINE + timedelta(hours=3))),
        {},
        versions_then=versions(case),
        versions_now=versions(case),
    )
    assert [c.case_id for c in found.cases] == [case]


def test_a_case_whose_version_moved_since_the_request_makes_the_proposal_stale() -> None:
    steady, changed = uuid.uuid4(), uuid.uuid4()
    found = diff(
        plan(assignment(steady), assignment(changed, NINE + timedelta(hours=2))),
        {},
        versions_then=versions(steady, changed),
        versions_now={steady: 3, changed: 4},
    )
    assert found.stale
    assert found.changed_case_ids == (changed,)
    marks = {c.case_id: c.changed_since_request for c in found.cases}
    assert marks == {steady: False, changed: True}


def test_a_proposal_whose_cases_all_kept_their_version_is_not_stale() -> None:
    case = uuid.uuid4()
    found = diff(
        plan(assignment(case)), {}, versions_then=versions(case), versions_now=versions(case)
    )
    assert not found.stale


def test_a_case_that_vanished_counts_as_changed() -> None:
    case = uuid.uuid4()
    assert changed_cases({case: 2}, {}) == (case,)


def test_changes_read_moves_first_then_additions_then_what_is_left_out_then_the_rest() -> None:
    moved, added, unbooked, unscheduled, unchanged = (uuid.uuid4() for _ in range(5))
    found = diff(
        plan(
            assignment(unchanged),
            assignment(added, NINE + timedelta(hours=4)),
            assignment(moved, NINE + timedelta(hours=2)),
            unscheduled=(
                UnscheduledCase(case_id=unscheduled, reason="no_capacity"),
                UnscheduledCase(case_id=unbooked, reason="no_capacity"),
            ),
        ),
        {unchanged: booked(), moved: booked(NINE + timedelta(hours=6)), unbooked: booked()},
        versions_then=versions(moved, added, unbooked, unscheduled, unchanged),
        versions_now=versions(moved, added, unbooked, unscheduled, unchanged),
    )
    assert [c.case_id for c in found.cases] == [moved, added, unbooked, unscheduled, unchanged]
    assert found.counts() == {kind: 1 for kind in Change}
    assert set(found.to_apply()) == {moved, added}


def test_a_locked_case_counts_as_kept_only_when_the_plan_leaves_it_exactly_where_it_is() -> None:
    kept, moved, dropped, missing = (uuid.uuid4() for _ in range(4))
    found = diff(
        plan(
            assignment(kept),
            assignment(moved, NINE + timedelta(hours=2)),
            unscheduled=(UnscheduledCase(case_id=dropped, reason="no_capacity"),),
        ),
        {kept: booked(), moved: booked(), dropped: booked(NINE + timedelta(hours=4))},
        versions_then=versions(kept, moved, dropped, missing),
        versions_now=versions(kept, moved, dropped, missing),
    )
    assert found.locked_not_kept([kept]) == ()
    assert found.locked_not_kept([kept, moved, dropped, missing]) == tuple(
        sorted([moved, dropped, missing])
    )
    assert found.ids_of(Change.UNBOOKED) == {dropped}
