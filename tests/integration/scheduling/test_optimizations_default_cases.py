"""The cases a default optimization plans, and the people and units offered, from PostgreSQL.

Without named cases, the problem holds the waiting cases the chosen rooms could take, most
urgent first and no more than they could plausibly hold; every problem offers only the people
and units that could serve its cases, while a chosen room is open.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from contracts.events.resources_blocks import BlockAllocated, WeeklyRecurrence
from contracts.events.resources_equipment import EquipmentUnit
from contracts.events.resources_staff import StaffStatus
from contracts.values import LocalTimeRange, WeeklyHours
from contracts.vocabulary import StaffRole
from scheduling_service.planning import optimizations
from scheduling_service.planning.planning_ask import Ask

from tests.integration.scheduling.booking_cases import coordinator, placement, request
from tests.integration.scheduling.test_optimizations_problem import (
    FIRST,
    LAST,
    at,
    book,
    built,
    spans,
    staff_of,
)
from tests.integration.scheduling.world import Scheduling, c_arm, person, room, team

WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def hours(start: str, end: str) -> WeeklyHours:
    """The same hours every day."""
    day = (LocalTimeRange(start=start, end=end),)
    return WeeklyHours(**dict.fromkeys(WEEK, day))


def ids(problem) -> set[uuid.UUID]:
    return {c.case_id for c in problem.cases}


async def test_by_default_only_cases_the_chosen_room_could_take_are_planned(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    away = person(StaffRole.SURGEON)
    await scheduling.know(away)
    fits = await request(scheduling, made)
    cardiac = await request(scheduling, made, required_capabilities=["general", "cardiac"])
    cardiac_emergency = await request(
        scheduling, made, priority="emergency", required_capabilities=["general", "cardiac"]
    )
    too_early = await request(scheduling, made, earliest_date=LAST + timedelta(days=1))
    stranded = await request(scheduling, made, surgeon_id=away.staff_id)
    stranded_urgent = await request(scheduling, made, surgeon_id=away.staff_id, priority="urgent")
    await scheduling.know(away.model_copy(update={"status": StaffStatus.INACTIVE, "version": 2}))

    result = await built(scheduling, Ask(FIRST, LAST, room_ids=(made.room.room_id,)))

    assert ids(result.problem) == {fits}
    assert not {cardiac, too_early, stranded} & set(result.case_versions)
    # Electives not chosen are simply not planned; every mandatory one is named, with why.
    assert {(u.case_id, u.reason) for u in result.left_out} == {
        (cardiac_emergency, "no_capable_room"),
        (stranded_urgent, "no_staff"),
    }
    assert result.default is not None
    assert (result.default["eligible"], result.default["chosen"]) == (1, 1)
    assert result.default["surgeon_without_time"] == 2


async def test_a_room_full_of_booked_electives_still_takes_a_waiting_urgent_case(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    # The room's whole day (07:00-19:00, 720 minutes) is held by five electives of 125 room
    # minutes and one of 95, all of the team's surgeon: the problem re-plans them.
    short = {"expected_duration_minutes": 60}
    electives = [await request(scheduling, made) for _ in range(5)]
    electives.append(await request(scheduling, made, **short))
    await book(
        scheduling,
        {
            case: placement(made, at(0, 7, 20) + n * timedelta(minutes=125))
            for n, case in enumerate(electives)
        },
    )
    urgent = await request(scheduling, made, priority="urgent")
    room_only = (made.room.room_id,)

    replanned = await built(scheduling, Ask(FIRST, FIRST, room_ids=room_only))
    locked = await built(
        scheduling, Ask(FIRST, FIRST, room_ids=room_only, locked_ids=frozenset(electives))
    )

    assert ids(replanned.problem) == {urgent, *electives}
    assert replanned.left_out == ()
    # Locked where they are, the electives keep the room and the surgeon's day: it is said so.
    assert ids(locked.problem) == set(electives)
    assert [(u.case_id, u.reason) for u in locked.left_out] == [(urgent, "no_capacity")]


async def test_with_blocks_respected_a_room_blocked_all_day_takes_only_its_holder_s_cases(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    colleague = person(StaffRole.SURGEON)
    block = BlockAllocated(
        block_id=uuid.uuid4(),
        room_id=made.room.room_id,
        surgeon_id=made.surgeon.staff_id,
        recurrence=WeeklyRecurrence(weekdays=WEEK, valid_from=FIRST - timedelta(days=7)),
        start_time="07:00",
        end_time="19:00",
        version=1,
    )
    await scheduling.know(colleague, block)
    mine = await request(scheduling, made)
    theirs = await request(scheduling, made, surgeon_id=colleague.staff_id)
    room_only = (made.room.room_id,)

    respected = await built(scheduling, Ask(FIRST, LAST, room_ids=room_only))
    ignored = await built(scheduling, Ask(FIRST, LAST, room_ids=room_only, respect_blocks=False))

    assert ids(respected.problem) == {mine}
    assert ids(ignored.problem) == {mine, theirs}


async def test_the_most_urgent_cases_are_taken_up_to_three_times_what_the_room_could_hold(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    # One day of 12 open hours: 720 free minutes, so at most 2,160 minutes of room time, and
    # each case holds the room 335 minutes (20 setup, 300 surgery, 15 cleanup): six cases.
    long = {"expected_duration_minutes": 300}
    electives = [
        await request(scheduling, made, due_date=FIRST + timedelta(days=10 + n), **long)
        for n in range(7)
    ]
    urgent = await request(scheduling, made, priority="urgent", **long)

    result = await built(scheduling, Ask(FIRST, FIRST, room_ids=(made.room.room_id,)))

    assert ids(result.problem) == {urgent, *electives[:5]}
    assert result.default is not None
    assert result.default["eligible"] == 8
    assert result.default["free_room_minutes"] == 720
    assert result.default["room_minutes_limit"] == 2160


async def test_mandatory_cases_the_room_could_not_hold_are_left_out_with_the_reason(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    long = {"expected_duration_minutes": 300, "priority": "urgent"}
    urgent = [
        await request(scheduling, made, due_date=FIRST + timedelta(days=n), **long)
        for n in range(3)
    ]
    async with scheduling.unit_of_work() as uow:
        request_id = await optimizations.request(
            uow,
            Ask(FIRST, FIRST, room_ids=(made.room.room_id,)),
            settings=scheduling.settings,
            by=coordinator(),
        )
        await uow.commit()
    async with scheduling.unit_of_work() as uow:
        found = await optimizations.read(uow.session, request_id)

    # Two fill 670 of the 720 free minutes; a third would make the problem infeasible.
    assert found.row.case_count == 2
    options = found.row.options
    assert [(u["case_id"], u["reason"]) for u in options["left_out"]] == [
        (str(urgent[2]), "no_capacity")
    ]
    assert options["default_cases"]["beyond_capacity"] == 1


async def test_only_people_and_units_that_could_serve_a_case_are_offered(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    elsewhere = room()
    evening = person(StaffRole.ANAESTHETIST, working_pattern=hours("19:30", "23:00"))
    too_short = person(StaffRole.ANAESTHETIST, working_pattern=hours("07:00", "08:00"))
    inactive = person(StaffRole.ANAESTHETIST, status=StaffStatus.INACTIVE)
    other_surgeon = person(StaffRole.SURGEON)
    fixed = c_arm(units=0, mobile=False).model_copy(
        update={
            "units": (
                EquipmentUnit(unit_id=uuid.uuid4(), label="fixed", fixed_room_id=elsewhere.room_id),
            )
        }
    )
    microscope = c_arm(equipment_type="microscope")
    await scheduling.know(elsewhere, evening, too_short, inactive, other_surgeon, fixed, microscope)
    case = await request(scheduling, made)

    problem = (
        await built(
            scheduling, Ask(FIRST, LAST, room_ids=(made.room.room_id,), surgery_ids=(case,))
        )
    ).problem

    assert set(staff_of(problem)) == {made.surgeon.staff_id, made.anaesthetist.staff_id}
    # The team's two C-arms are interchangeable and the case needs one: one is offered.
    [unit] = problem.equipment_units
    assert unit.unit_id in made.unit_ids


async def test_people_are_offered_only_while_a_chosen_room_is_open(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    mornings = made.room.model_copy(update={"weekly_hours": hours("08:00", "12:00"), "version": 2})
    await scheduling.know(mornings)
    case = await request(scheduling, made)

    problem = (
        await built(
            scheduling, Ask(FIRST, LAST, room_ids=(made.room.room_id,), surgery_ids=(case,))
        )
    ).problem

    people = staff_of(problem)
    every_morning = [(at(d, 8), at(d, 12)) for d in (0, 1, 2)]
    assert spans(people[made.anaesthetist.staff_id].available_intervals) == every_morning
    assert spans(people[made.surgeon.staff_id].available_intervals) == every_morning


async def test_of_interchangeable_people_only_as_many_as_the_cases_need_are_offered(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    twins = [person(StaffRole.ANAESTHETIST) for _ in range(5)]  # the team's anaesthetist's shifts
    busy = person(StaffRole.ANAESTHETIST)
    await scheduling.know(*twins, busy)
    planned = [await request(scheduling, made) for _ in range(2)]
    other = await request(scheduling, made)
    await book(scheduling, {other: placement(made, anaesthetist_id=busy.staff_id)})

    problem = (
        await built(
            scheduling,
            Ask(FIRST, LAST, room_ids=(made.room.room_id,), surgery_ids=tuple(planned)),
        )
    ).problem

    anaesthetists = [s for s in problem.staff if StaffRole.ANAESTHETIST in s.roles]
    # Six alike, two needed: two of them; the one whose booking changes their time, besides.
    alike = [s for s in anaesthetists if s.staff_id != busy.staff_id]
    assert len(alike) == 2
    assert {s.staff_id for s in alike} <= {made.anaesthetist.staff_id, *(t.staff_id for t in twins)}
    assert busy.staff_id in {s.staff_id for s in anaesthetists}
    assert len(problem.equipment_units) == 2
