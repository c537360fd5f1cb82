"""Whatever coordinators book, move, postpone and cancel, in whatever order, nothing in the
database ever overlaps: no room, person or unit is held twice at once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from contracts.events.scheduling_surgeries import StaffAssignment
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scheduling_service.booking import booking
from scheduling_service.booking.booking import Placement
from scheduling_service.cases import case_moves, cases
from servicekit.problems import Problem

from tests.integration.scheduling.booking_cases import (
    START,
    coordinator,
    overlaps,
    request_for,
)
from tests.integration.scheduling.world import Scheduling, c_arm, person, room

CASES, ROOMS, SURGEONS, ANAESTHETISTS = 4, 2, 2, 2
# Starts every 30 minutes: 90-minute cases with setup and cleanup collide often.
SLOTS = [START + timedelta(minutes=30 * n) for n in range(8)]

book = st.tuples(
    st.just("book"),
    st.integers(0, CASES - 1),
    st.integers(0, ROOMS - 1),
    st.integers(0, len(SLOTS) - 1),
    st.integers(0, ANAESTHETISTS - 1),
    st.integers(0, 1),  # which C-arm unit
)
# Postponing frees a booking too and, unlike cancelling, leaves the case bookable again.
stop = st.tuples(st.sampled_from(["cancel", "postpone"]), st.integers(0, CASES - 1))
steps = st.lists(st.one_of(book, book, book, stop), min_size=1, max_size=12)


@dataclass
class Hospital:
    """A fresh corner per example: two rooms, two surgeons, two anaesthetists, two C-arms,
    and four cases, two per surgeon."""

    rooms: list[uuid.UUID]
    anaesthetists: list[uuid.UUID]
    units: list[uuid.UUID]
    cases: list[uuid.UUID]


async def hospital(scheduling: Scheduling) -> Hospital:
    rooms = [room() for _ in range(ROOMS)]
    surgeons = [person("surgeon") for _ in range(SURGEONS)]
    anaesthetists = [person("anaesthetist") for _ in range(ANAESTHETISTS)]
    arms = c_arm()
    await scheduling.know(*rooms, *surgeons, *anaesthetists, arms)
    surgery_ids = [
        await request_for(scheduling, surgeons[n % SURGEONS].staff_id) for n in range(CASES)
    ]
    return Hospital(
        rooms=[r.room_id for r in rooms],
        anaesthetists=[a.staff_id for a in anaesthetists],
        units=[u.unit_id for u in arms.units],
        cases=surgery_ids,
    )


async def take(scheduling: Scheduling, where: Hospital, step: tuple) -> None:
    """One step; a refusal (409, or a move the lifecycle forbids) is a fine outcome."""
    async with scheduling.unit_of_work() as uow:
        try:
            if step[0] == "book":
                _, case, room_n, slot, anaesthetist, unit = step
                placement = Placement(
                    room_id=where.rooms[room_n],
                    start=SLOTS[slot],
                    staff=(
                        StaffAssignment(
                            staff_id=where.anaesthetists[anaesthetist], role="anaesthetist"
                        ),
                    ),
                    equipment_unit_ids=(where.units[unit],),
                )
                await booking.place(
                    uow,
                    {where.cases[case]: placement},
                    settings=scheduling.settings,
                    actor=coordinator(),
                )
            else:
                stopping = case_moves.cancel if step[0] == "cancel" else case_moves.postpone
                await stopping(
                    uow, where.cases[step[1]], "other", None, by=coordinator(), if_match=None
                )
        except Problem as refused:
            assert refused.status == 409, refused.detail
            return
        await uow.commit()


async def each_booked_case_holds_its_booking(scheduling: Scheduling, where: Hospital) -> None:
    async with scheduling.unit_of_work() as uow:
        for surgery_id in where.cases:
            row = await cases.find(uow.session, surgery_id)
            held = await cases.booking_of(uow.session, surgery_id)
            assert (held is not None) == (row.status == "scheduled"), row.status
            if held is not None:
                assert (row.surgeon_id, "surgeon") in {(a.staff_id, a.role) for a in held.staff}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
async def test_no_sequence_of_book_move_and_cancel_ever_leaves_an_overlap(
    scheduling: Scheduling, steps: list[tuple]
) -> None:
    where = await hospital(scheduling)
    for step in steps:
        await take(scheduling, where, step)
        assert await overlaps(scheduling) == dict.fromkeys(
            ("bookings", "staff_assignments", "equipment_usages"), 0
        )
        await each_booked_case_holds_its_booking(scheduling, where)
