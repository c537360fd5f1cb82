"""Building an optimization problem from the database: cases, their world, and others' time.

The horizon is the Wednesday to Friday of the shared booking start (`START`, weeks ahead): the
team's room is open and its people work 07:00-19:00 local (Amsterdam) every day.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from contracts.events.resources_blocks import BlockAllocated, WeeklyRecurrence
from contracts.events.resources_staff import StaffStatus
from contracts.planning import OptimizationProblem
from contracts.vocabulary import StaffRole
from scheduling_service.booking import booking
from scheduling_service.planning.planning_ask import Ask
from scheduling_service.planning.planning_problem import Built, build
from servicekit.problems import Problem

from tests.integration.scheduling.booking_cases import (
    START,
    coordinator,
    placement,
    request,
    request_for,
)
from tests.integration.scheduling.world import Scheduling, person, room, team

TIMEZONE = "Europe/Amsterdam"
FIRST = START.astimezone(ZoneInfo(TIMEZONE)).date()  # a Wednesday
LAST = FIRST + timedelta(days=2)
NOW = datetime.combine(FIRST - timedelta(days=2), time(12), UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """`hour:minute` local time on the horizon's `day`-th date (0 is its first)."""
    return datetime.combine(FIRST + timedelta(days=day), time(hour, minute), ZoneInfo(TIMEZONE))


def spans(windows) -> list[tuple[datetime, datetime]]:
    return [(w.start, w.end) for w in windows]


async def book(scheduling: Scheduling, placements: dict) -> None:
    async with scheduling.unit_of_work() as uow:
        await booking.place(uow, placements, settings=scheduling.settings, actor=coordinator())
        await uow.commit()


async def built(scheduling: Scheduling, ask: Ask, now: datetime = NOW) -> Built:
    async with scheduling.unit_of_work() as uow:
        return await build(uow.session, ask, timezone=TIMEZONE, now=now)


async def refused(scheduling: Scheduling, ask: Ask, now: datetime = NOW) -> Problem:
    with pytest.raises(Problem) as caught:
        await built(scheduling, ask, now)
    return caught.value


def staff_of(problem: OptimizationProblem) -> dict:
    return {s.staff_id: s for s in problem.staff}


async def test_a_waiting_and_a_booked_case_come_with_their_room_people_units_and_booking(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    waiting, booked = await request(scheduling, made), await request(scheduling, made)
    await book(scheduling, {booked: placement(made)})  # Wednesday 09:00-10:30 local

    result = await built(
        scheduling, Ask(FIRST, LAST, room_ids=(made.room.room_id,), surgery_ids=(waiting, booked))
    )

    problem = result.problem
    cases = {c.case_id: c for c in problem.cases}
    assert set(cases) == {waiting, booked}
    assert cases[waiting].current_booking is None
    current = cases[booked].current_booking
    assert (current.room_id, current.start, current.end) == (
        made.room.room_id,
        START,
        START + timedelta(minutes=90),
    )
    assert current.staff_ids == (made.anaesthetist.staff_id,)  # the surgeon is implicit
    assert current.equipment_unit_ids == (made.unit_ids[0],)
    assert cases[booked].setup_minutes == 20 and cases[booked].cleanup_minutes == 15
    assert result.case_versions == {waiting: 1, booked: 2}
    assert (problem.horizon.start_date, problem.horizon.end_date) == (FIRST, LAST)
    assert problem.horizon.timezone == TIMEZONE
    [planned_room] = problem.rooms
    every_day = [(at(d, 7), at(d, 19)) for d in (0, 1, 2)]
    assert spans(planned_room.open_intervals) == every_day
    people = staff_of(problem)
    # Only the roles the cases need: the scrub nurse is not asked for.
    assert set(people) == {made.surgeon.staff_id, made.anaesthetist.staff_id}
    assert people[made.surgeon.staff_id].roles == (StaffRole.SURGEON,)
    assert people[made.anaesthetist.staff_id].max_minutes_per_day == 600
    assert spans(people[made.anaesthetist.staff_id].available_intervals) == every_day
    assert {u.unit_id for u in problem.equipment_units} == set(made.unit_ids)
    assert {u.turnaround_minutes for u in problem.equipment_units} == {30}


async def test_bookings_outside_the_problem_keep_their_room_people_and_units(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    planned, other = await request(scheduling, made), await request(scheduling, made)
    await book(scheduling, {other: placement(made)})  # Wednesday 09:00-10:30, room 08:40-10:45

    problem = (
        await built(
            scheduling, Ask(FIRST, LAST, room_ids=(made.room.room_id,), surgery_ids=(planned,))
        )
    ).problem

    [planned_room] = problem.rooms
    assert spans(planned_room.open_intervals)[:2] == [
        (at(0, 7), at(0, 8, 40)),
        (at(0, 10, 45), at(0, 19)),
    ]
    people = staff_of(problem)
    # Only while the room is free: 07:00-08:40 and from 10:45. They worked 90 of their 600
    # minutes that Wednesday, so 510 more are offered: 100 before, 410 after.
    assert spans(people[made.anaesthetist.staff_id].available_intervals)[:2] == [
        (at(0, 7), at(0, 8, 40)),
        (at(0, 10, 45), at(0, 17, 35)),
    ]
    units = {u.unit_id: u for u in problem.equipment_units}
    # A C-arm serves while the room is free and for its 30-minute turnaround after; the first
    # is held for the other surgery and its turnaround, 09:00-11:00.
    assert spans(units[made.unit_ids[0]].available_intervals)[:3] == [
        (at(0, 7), at(0, 9)),
        (at(0, 11), at(0, 19, 30)),
        (at(1, 7), at(1, 19, 30)),
    ]
    assert spans(units[made.unit_ids[1]].available_intervals)[:3] == [
        (at(0, 7), at(0, 9, 10)),
        (at(0, 10, 45), at(0, 19, 30)),
        (at(1, 7), at(1, 19, 30)),
    ]


async def test_by_default_every_waiting_case_that_may_start_and_every_booking_in_the_rooms(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    elsewhere = room()
    await scheduling.know(elsewhere)
    waiting = await request(scheduling, made)
    too_early = await request(scheduling, made, earliest_date=LAST + timedelta(days=1))
    booked_here, booked_elsewhere = await request(scheduling, made), await request(scheduling, made)
    await book(
        scheduling,
        {
            booked_here: placement(made),
            booked_elsewhere: placement(
                made,
                START + timedelta(hours=3),
                room_id=elsewhere.room_id,
                unit_id=made.unit_ids[1],
            ),
        },
    )

    problem = (await built(scheduling, Ask(FIRST, LAST, room_ids=(made.room.room_id,)))).problem

    assert {c.case_id for c in problem.cases} == {waiting, booked_here}
    assert too_early not in {c.case_id for c in problem.cases}
    assert [r.room_id for r in problem.rooms] == [made.room.room_id]


async def test_a_case_booked_outside_the_chosen_rooms_may_stay_where_it_is_and_nowhere_else_there(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    elsewhere = room()
    await scheduling.know(elsewhere)
    case = await request(scheduling, made)
    await book(scheduling, {case: placement(made, room_id=elsewhere.room_id)})

    problem = (
        await built(
            scheduling, Ask(FIRST, LAST, room_ids=(made.room.room_id,), surgery_ids=(case,))
        )
    ).problem

    rooms = {r.room_id: r for r in problem.rooms}
    assert set(rooms) == {made.room.room_id, elsewhere.room_id}
    assert spans(rooms[elsewhere.room_id].open_intervals) == [(at(0, 8, 40), at(0, 10, 45))]


async def test_a_waiting_case_whose_surgeon_has_no_time_is_left_out_with_the_reason(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    away = person(StaffRole.SURGEON)
    await scheduling.know(away)
    planned = await request(scheduling, made)
    stranded = await request_for(scheduling, away.staff_id)
    await scheduling.know(away.model_copy(update={"status": StaffStatus.INACTIVE, "version": 2}))

    result = await built(
        scheduling,
        Ask(FIRST, LAST, room_ids=(made.room.room_id,), surgery_ids=(planned, stranded)),
    )

    assert [c.case_id for c in result.problem.cases] == [planned]
    assert [(u.case_id, u.reason) for u in result.left_out] == [(stranded, "no_staff")]
    assert stranded not in result.case_versions


async def test_blocks_of_the_problem_s_surgeons_are_sent_and_other_surgeons_blocks_are_closed(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    colleague = person(StaffRole.SURGEON)
    mine, theirs = (
        BlockAllocated(
            block_id=uuid.uuid4(),
            room_id=made.room.room_id,
            surgeon_id=surgeon.staff_id,
            recurrence=WeeklyRecurrence(weekdays=(weekday,), valid_from=FIRST - timedelta(days=60)),
            start_time="08:00",
            end_time="13:00",
            version=1,
        )
        for surgeon, weekday in ((made.surgeon, "wednesday"), (colleague, "thursday"))
    )
    await scheduling.know(colleague, mine, theirs)
    case = await request(scheduling, made)

    problem = (
        await built(
            scheduling, Ask(FIRST, LAST, room_ids=(made.room.room_id,), surgery_ids=(case,))
        )
    ).problem

    [block] = problem.blocks
    assert (block.surgeon_id, block.start, block.end) == (
        made.surgeon.staff_id,
        at(0, 8),
        at(0, 13),
    )
    assert block.block_id == uuid.uuid5(mine.block_id, FIRST.isoformat())
    thursday = [
        s for s in spans(problem.rooms[0].open_intervals) if s[0] >= at(1, 0) and s[1] <= at(2, 0)
    ]
    assert thursday == [(at(1, 7), at(1, 8)), (at(1, 13), at(1, 19))]


async def test_a_horizon_starting_today_offers_nothing_before_now(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    case = await request(scheduling, made)
    now = at(0, 11, 15)

    problem = (
        await built(
            scheduling,
            Ask(FIRST, FIRST, room_ids=(made.room.room_id,), surgery_ids=(case,)),
            now=now,
        )
    ).problem

    assert spans(problem.rooms[0].open_intervals) == [(now, at(0, 19))]


async def test_what_cannot_be_planned_is_refused_with_422(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    waiting = await request(scheduling, made)
    room_only = (made.room.room_id,)
    asks = {
        "before today": Ask(
            NOW.date() - timedelta(days=1), LAST, room_ids=room_only, surgery_ids=(waiting,)
        ),
        "unknown case": Ask(FIRST, LAST, room_ids=room_only, surgery_ids=(uuid.uuid4(),)),
        "unknown room": Ask(FIRST, LAST, room_ids=(uuid.uuid4(),), surgery_ids=(waiting,)),
        "locked waiting case": Ask(
            FIRST, LAST, room_ids=room_only, surgery_ids=(waiting,), locked_ids=frozenset({waiting})
        ),
    }
    for why, ask in asks.items():
        assert (await refused(scheduling, ask)).status == 422, why


async def test_a_horizon_without_any_case_to_plan_is_refused(scheduling: Scheduling) -> None:
    made = await team(scheduling)

    problem = await refused(scheduling, Ask(FIRST, LAST, room_ids=(made.room.room_id,)))

    assert problem.status == 422
    assert "no case to plan" in problem.detail
