"""Which waiting cases an optimization plans when none are named: no I/O."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from scheduling_service.domain.default_cases import (
    HOLD_FACTOR,
    MOST_CASES,
    NO_CAPABLE_ROOM,
    NO_CAPACITY,
    NO_SURGEON_TIME,
    NOT_IN_BLOCK,
    Candidate,
    RoomOffer,
    choose,
)

FIRST = date(2031, 3, 5)
SURGEON, OTHER_SURGEON = uuid.uuid4(), uuid.uuid4()
CREATED = datetime(2031, 1, 1, tzinfo=UTC)


def case(**changes) -> Candidate:
    values = {
        "case_id": uuid.uuid4(),
        "surgeon_id": SURGEON,
        "specialty": "orthopaedics",
        "priority": "elective",
        "due_date": FIRST + timedelta(days=30),
        "created_at": CREATED,
        "surgery_minutes": 70,
        "room_minutes": 100,
        "required_capabilities": frozenset({"general"}),
    }
    return Candidate(**(values | changes))


def room(free_minutes: int = 1000, **changes) -> RoomOffer:
    values = {
        "room_id": uuid.uuid4(),
        "capabilities": frozenset({"general", "orthopaedic"}),
        "free_minutes": free_minutes,
        "unblocked": True,
    }
    return RoomOffer(**(values | changes))


# Surgeons with all the time in the world, unless a test says otherwise.
FREE_SURGEONS = {SURGEON: 100_000, OTHER_SURGEON: 100_000}


def picked(candidates, rooms, surgeons=FREE_SURGEONS, respect_blocks: bool = True):
    return choose(candidates, rooms, surgeons, first=FIRST, respect_blocks=respect_blocks)


def chosen(candidates, rooms, respect_blocks: bool = True) -> tuple[uuid.UUID, ...]:
    return picked(candidates, rooms, respect_blocks=respect_blocks).case_ids


def test_a_case_needing_a_capability_no_chosen_room_has_is_not_chosen() -> None:
    fits, cardiac = case(), case(required_capabilities=frozenset({"general", "cardiac"}))
    assert chosen([fits, cardiac], [room()]) == (fits.case_id,)


def test_any_one_chosen_room_with_the_capabilities_is_enough() -> None:
    cardiac = case(required_capabilities=frozenset({"cardiac"}))
    hybrid = room(capabilities=frozenset({"cardiac", "hybrid"}))
    assert chosen([cardiac], [room(), hybrid]) == (cardiac.case_id,)


def test_a_wholly_blocked_room_takes_only_its_block_holders_cases_when_blocks_count() -> None:
    mine = case()
    theirs = case(surgeon_id=OTHER_SURGEON, specialty="urology")
    service = case(surgeon_id=OTHER_SURGEON, specialty="orthopaedics")
    blocked = room(unblocked=False, block_surgeons=frozenset({SURGEON}))
    by_service = room(unblocked=False, block_services=frozenset({"orthopaedics"}))

    assert chosen([mine, theirs], [blocked]) == (mine.case_id,)
    assert chosen([service, theirs], [by_service]) == (service.case_id,)
    assert set(chosen([mine, theirs], [blocked], respect_blocks=False)) == {
        mine.case_id,
        theirs.case_id,
    }


def test_a_room_with_time_outside_every_block_takes_anyone() -> None:
    theirs = case(surgeon_id=OTHER_SURGEON)
    partly = room(unblocked=True, block_surgeons=frozenset({SURGEON}))
    assert chosen([theirs], [partly]) == (theirs.case_id,)


def test_cases_are_taken_most_urgent_first_then_due_soonest_undated_last() -> None:
    undated = case(due_date=None)
    later = case(due_date=FIRST + timedelta(days=20))
    sooner = case(due_date=FIRST + timedelta(days=10))
    urgent = case(priority="urgent", due_date=None)
    older = case(due_date=FIRST + timedelta(days=20), created_at=CREATED - timedelta(days=1))

    found = chosen([undated, later, sooner, urgent, older], [room(free_minutes=10_000)])

    assert found == tuple(c.case_id for c in (urgent, sooner, older, later, undated))


def test_no_more_is_taken_than_three_times_what_the_rooms_could_hold() -> None:
    waiting = [case(due_date=FIRST + timedelta(days=10 + n)) for n in range(20)]
    rooms = [room(free_minutes=250), room(free_minutes=250)]  # 500 free minutes, 1500 allowed

    choice = picked(waiting, rooms)

    assert choice.case_ids == tuple(c.case_id for c in waiting[: HOLD_FACTOR * 5])
    assert choice.summary() == {
        "eligible": 20,
        "chosen": 15,
        "beyond_capacity": 0,
        "free_room_minutes": 500,
        "room_minutes_limit": 1500,
        "cases_limit": MOST_CASES,
        "surgeon_without_time": 0,
        "unplaceable": 0,
    }


def test_at_most_five_hundred_cases_are_taken() -> None:
    waiting = [case(room_minutes=1) for _ in range(MOST_CASES + 20)]
    assert len(chosen(waiting, [room(free_minutes=10_000)])) == MOST_CASES


def test_mandatory_cases_beyond_what_the_rooms_could_hold_are_kept_out_and_named() -> None:
    urgent = [
        case(priority="urgent", room_minutes=400, due_date=FIRST + timedelta(days=n))
        for n in range(3)
    ]
    past_due = case(due_date=FIRST - timedelta(days=1), room_minutes=400)
    elective = case(room_minutes=400)

    choice = picked([*urgent, past_due, elective], [room(free_minutes=1000)])

    # Two urgent cases fill 800 of the 1000 free minutes; the third and the past-due elective
    # (mandatory too) would not fit with them. A plain elective may still be offered.
    assert choice.case_ids == (urgent[0].case_id, urgent[1].case_id, elective.case_id)
    assert choice.beyond_capacity == (urgent[2].case_id, past_due.case_id)


def test_rooms_without_free_time_take_no_waiting_case() -> None:
    emergency = case(priority="emergency")
    choice = picked([case(), emergency], [room(free_minutes=0)])
    assert choice.case_ids == ()
    assert choice.unplaceable == ((emergency.case_id, NO_CAPACITY),)


def test_a_surgeon_s_cases_are_capped_by_three_times_their_own_time() -> None:
    # 100 minutes of the surgeon's time: at most 300 minutes of their surgery, four cases of 70.
    theirs = [case(due_date=FIRST + timedelta(days=n)) for n in range(6)]
    other = case(surgeon_id=OTHER_SURGEON, due_date=FIRST + timedelta(days=9))
    surgeons = {SURGEON: 100, OTHER_SURGEON: 1000}

    choice = picked([*theirs, other], [room(free_minutes=10_000)], surgeons)

    assert choice.case_ids == (*(c.case_id for c in theirs[:4]), other.case_id)


def test_a_surgeon_s_mandatory_cases_beyond_their_own_time_are_kept_out() -> None:
    urgent = [case(priority="urgent", due_date=FIRST + timedelta(days=n)) for n in range(3)]

    choice = picked(urgent, [room(free_minutes=10_000)], {SURGEON: 150})

    assert choice.case_ids == (urgent[0].case_id, urgent[1].case_id)
    assert choice.beyond_capacity == (urgent[2].case_id,)


def test_booked_mandatory_cases_re_planned_take_their_share_before_waiting_ones() -> None:
    booked = case(priority="urgent", room_minutes=650)
    emergency, urgent = case(priority="emergency", room_minutes=300), case(priority="urgent")

    choice = choose(
        [emergency, urgent],
        [room(free_minutes=1000)],
        FREE_SURGEONS,
        first=FIRST,
        respect_blocks=True,
        booked=[booked],
    )

    assert choice.case_ids == (emergency.case_id,)
    assert choice.beyond_capacity == (urgent.case_id,)


def test_booked_electives_re_planned_give_way_to_waiting_mandatory_cases() -> None:
    electives = [case(room_minutes=500) for _ in range(2)]
    urgent = case(priority="urgent", room_minutes=500)

    choice = choose(
        [urgent],
        [room(free_minutes=1000)],
        FREE_SURGEONS,
        first=FIRST,
        respect_blocks=True,
        booked=electives,
    )

    assert choice.case_ids == (urgent.case_id,)


def test_every_mandatory_case_not_chosen_is_named_with_why() -> None:
    cardiac = case(priority="emergency", required_capabilities=frozenset({"cardiac"}))
    blocked_out = case(priority="urgent", surgeon_id=OTHER_SURGEON, specialty="urology")
    idle = case(priority="urgent", surgeon_id=uuid.uuid4())
    elective_idle = case(surgeon_id=idle.surgeon_id)
    blocked = room(unblocked=False, block_services=frozenset({"orthopaedics"}))

    choice = picked([cardiac, blocked_out, idle, elective_idle], [blocked])

    assert choice.case_ids == ()
    assert choice.unplaceable == (
        (cardiac.case_id, NO_CAPABLE_ROOM),
        (blocked_out.case_id, NOT_IN_BLOCK),
        (idle.case_id, NO_SURGEON_TIME),
    )
    assert choice.summary()["surgeon_without_time"] == 2
