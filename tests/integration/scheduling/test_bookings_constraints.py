"""PostgreSQL itself refuses a double booking of a room, a person or a unit, and accepts spans
that only touch: the backstop that holds whatever the code checked first."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from contracts.events.scheduling_surgeries import Booking, StaffAssignment
from scheduling_service.booking import booking
from scheduling_service.cases import cases
from scheduling_service.domain.booking.conflict import Conflict
from scheduling_service.read_model import resources_view
from sqlalchemy.exc import IntegrityError

from tests.integration.scheduling.booking_cases import START, request
from tests.integration.scheduling.world import Scheduling, Team, person, room, team

MINUTES = timedelta(minutes=1)


def booking_at(
    made: Team,
    start: datetime,
    *,
    room_id: uuid.UUID | None = None,
    staff: tuple[uuid.UUID, ...] = (),
    units: tuple[uuid.UUID, ...] = (),
) -> Booking:
    """A 90-minute surgery with 20 minutes' setup and 15 minutes' cleanup; the people and
    units given (the surgeon is left out unless given, to test one kind at a time)."""
    return Booking(
        room_id=room_id or made.room.room_id,
        start=start,
        end=start + 90 * MINUTES,
        setup_minutes=20,
        cleanup_minutes=15,
        staff=tuple(StaffAssignment(staff_id=s, role="anaesthetist") for s in staff),
        equipment_unit_ids=units,
    )


async def write(scheduling: Scheduling, made: Team, written: Booking) -> None:
    surgery_id = await request(scheduling, made)
    async with scheduling.unit_of_work() as uow:
        units = await resources_view.units_by_id(uow.session, written.equipment_unit_ids)
        await cases.write_bookings(
            uow.session, {surgery_id: written}, units, booked_by=None, run_id=None
        )
        await uow.commit()


async def refused(scheduling: Scheduling, made: Team, written: Booking) -> Conflict:
    """The conflict the database's refusal names."""
    with pytest.raises(IntegrityError) as caught:
        await write(scheduling, made, written)
    return booking.race_lost(caught.value)


async def test_refuses_a_room_held_during_the_other_cases_cleanup(scheduling: Scheduling) -> None:
    # The first holds the room 08:40-10:45; the second's setup would begin at 10:40.
    made = await team(scheduling)
    await write(scheduling, made, booking_at(made, START))
    second = booking_at(made, START + 120 * MINUTES)
    conflict = await refused(scheduling, made, second)
    assert (conflict.code, conflict.resource_id) == ("room_double_booked", made.room.room_id)


async def test_accepts_a_room_whose_setup_begins_as_the_cleanup_ends(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    await write(scheduling, made, booking_at(made, START))
    await write(scheduling, made, booking_at(made, START + 125 * MINUTES))


async def test_refuses_a_person_in_two_surgeries_at_once(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    elsewhere = room()
    await scheduling.know(elsewhere)
    await write(scheduling, made, booking_at(made, START, staff=(made.anaesthetist.staff_id,)))
    overlapping = booking_at(
        made, START + 89 * MINUTES, room_id=elsewhere.room_id, staff=(made.anaesthetist.staff_id,)
    )
    conflict = await refused(scheduling, made, overlapping)
    assert (conflict.code, conflict.resource_id) == (
        "staff_double_booked",
        made.anaesthetist.staff_id,
    )


async def test_accepts_a_person_whose_next_surgery_starts_as_the_last_ends(
    scheduling: Scheduling,
) -> None:
    # A person is held for the surgery only, not the room's setup and cleanup.
    made = await team(scheduling)
    elsewhere = room()
    await scheduling.know(elsewhere)
    await write(scheduling, made, booking_at(made, START, staff=(made.anaesthetist.staff_id,)))
    following = booking_at(
        made, START + 90 * MINUTES, room_id=elsewhere.room_id, staff=(made.anaesthetist.staff_id,)
    )
    await write(scheduling, made, following)


async def test_refuses_a_unit_still_in_its_turnaround(scheduling: Scheduling) -> None:
    # The C-arm's 30 minutes' turnaround hold it until 11:00 after a surgery ending 10:30.
    made = await team(scheduling)
    elsewhere = room()
    await scheduling.know(elsewhere)
    unit = made.unit_ids[0]
    await write(scheduling, made, booking_at(made, START, units=(unit,)))
    too_soon = booking_at(made, START + 119 * MINUTES, room_id=elsewhere.room_id, units=(unit,))
    conflict = await refused(scheduling, made, too_soon)
    assert (conflict.code, conflict.resource_id) == ("unit_double_booked", unit)


async def test_accepts_a_unit_once_its_turnaround_is_over(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    elsewhere = room()
    await scheduling.know(elsewhere)
    unit = made.unit_ids[0]
    await write(scheduling, made, booking_at(made, START, units=(unit,)))
    await write(
        scheduling,
        made,
        booking_at(made, START + 120 * MINUTES, room_id=elsewhere.room_id, units=(unit,)),
    )


async def test_keeps_other_rooms_people_and_units_apart(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    elsewhere, other_person = room(), person("anaesthetist")
    await scheduling.know(elsewhere, other_person)
    await write(
        scheduling,
        made,
        booking_at(made, START, staff=(made.anaesthetist.staff_id,), units=(made.unit_ids[0],)),
    )
    await write(
        scheduling,
        made,
        booking_at(
            made,
            START,
            room_id=elsewhere.room_id,
            staff=(other_person.staff_id,),
            units=(made.unit_ids[1],),
        ),
    )
