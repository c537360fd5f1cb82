"""Limits a booking keeps against PostgreSQL: never in the past, a person's daily maximum even
when bookings race, no more people than a booking holds; and a booked case forgets why it was
postponed."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

import pytest
from contracts.events.scheduling_surgeries import StaffAssignment
from scheduling_service.booking import booking
from scheduling_service.booking.booking import Placement
from scheduling_service.cases import case_moves
from scheduling_service.db.tables import staff_assignments, surgery_requests
from servicekit.problems import Problem
from sqlalchemy import func, select, update

from tests.integration.scheduling.booking_cases import (
    DAY,
    START,
    coordinator,
    current,
    local,
    place,
    placement,
    refusal,
    request,
    request_for,
)
from tests.integration.scheduling.world import Scheduling, person, room, team


def codes(problem: Problem) -> list[tuple[str | None, str]]:
    return [(c["surgery_id"], c["code"]) for c in problem.extensions["conflicts"]]


# --- Never in the past


async def test_refuses_to_book_a_case_into_the_past_and_says_when(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    surgery_id = await request(scheduling, made)
    yesterday = local(date.today() - timedelta(days=1), 9)
    problem = await refusal(scheduling, {surgery_id: placement(made, yesterday)})
    assert problem.status == 409
    assert codes(problem) == [(str(surgery_id), "starts_in_past")]
    assert f"Case {surgery_id} starts {yesterday:%Y-%m-%d} 09:00" in problem.detail
    assert "before now" in problem.detail
    row, held = await current(scheduling, surgery_id)
    assert (row.status, held) == ("requested", None)


async def test_a_change_of_several_cases_names_only_the_one_that_has_elapsed(
    scheduling: Scheduling,
) -> None:
    # As applying an old proposal would: one of its cases' slots has gone by meanwhile.
    made = await team(scheduling)
    elapsed, coming = await request(scheduling, made), await request(scheduling, made)
    earlier = local(date.today() - timedelta(days=2), 9)
    problem = await refusal(
        scheduling, {elapsed: placement(made, earlier), coming: placement(made, START)}
    )
    assert codes(problem) == [(str(elapsed), "starts_in_past")]
    assert (await current(scheduling, coming))[1] is None


async def test_a_dry_run_names_a_start_in_the_past(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    surgery_id = await request(scheduling, made)
    yesterday = local(date.today() - timedelta(days=1), 9)
    async with scheduling.unit_of_work() as uow:
        found = await booking.check(
            uow.session, surgery_id, placement(made, yesterday), scheduling.settings
        )
    assert [c.code for c in found] == ["starts_in_past"]


async def test_the_demo_seed_may_book_last_weeks_cases(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    surgery_id = await request(scheduling, made)
    last_week = local(date.today() - timedelta(days=7), 9)
    await place(scheduling, {surgery_id: placement(made, last_week)}, allow_past=True)
    assert (await current(scheduling, surgery_id))[1].start == last_week


# --- A person's daily maximum, whatever races


async def long_case(scheduling: Scheduling, surgeon_id: uuid.UUID, minutes: int) -> uuid.UUID:
    """A case of only its surgeon: no setup, cleanup, other people or equipment."""
    return await request_for(
        scheduling,
        surgeon_id,
        expected_duration_minutes=minutes,
        setup_minutes=0,
        cleanup_minutes=0,
        equipment_types=[],
        staff_roles_needed=[],
    )


async def alone(scheduling: Scheduling, surgery_id: uuid.UUID, where: Placement) -> str:
    """`place` in a unit of work of its own: "booked", or the codes it was refused with."""
    try:
        await place(scheduling, {surgery_id: where})
    except Problem as problem:
        return ",".join(code for _, code in codes(problem))
    return "booked"


async def test_concurrent_bookings_of_one_surgeon_keep_their_daily_maximum(
    scheduling: Scheduling,
) -> None:
    # Three 240-minute cases in three rooms, back to back: 720 minutes, the maximum 600.
    surgeon, rooms = person("surgeon"), [room() for _ in range(3)]
    await scheduling.know(surgeon, *rooms)
    surgery_ids = [await long_case(scheduling, surgeon.staff_id, 240) for _ in rooms]
    starts = [local(DAY, hour) for hour in (7, 11, 15)]
    outcomes = await asyncio.gather(
        *(
            alone(scheduling, surgery_id, Placement(r.room_id, start))
            for surgery_id, r, start in zip(surgery_ids, rooms, starts, strict=True)
        )
    )
    assert sorted(outcomes) == ["booked", "booked", "staff_over_daily_maximum"]
    async with scheduling.unit_of_work() as uow:
        minutes = await uow.session.scalar(
            select(
                func.sum(
                    func.extract("epoch", func.upper(staff_assignments.c.period))
                    - func.extract("epoch", func.lower(staff_assignments.c.period))
                )
                / 60
            ).where(staff_assignments.c.staff_id == surgeon.staff_id)
        )
    assert minutes == 480


async def test_a_booking_of_the_same_person_day_waits_and_is_judged_on_what_committed(
    scheduling: Scheduling,
) -> None:
    surgeon, rooms = person("surgeon"), [room(), room()]
    await scheduling.know(surgeon, *rooms)
    first = await long_case(scheduling, surgeon.staff_id, 360)
    second = await long_case(scheduling, surgeon.staff_id, 300)
    async with scheduling.unit_of_work() as uow:
        await booking.place(
            uow,
            {first: Placement(rooms[0].room_id, local(DAY, 7))},
            settings=scheduling.settings,
            actor=coordinator(),
        )
        racing = asyncio.create_task(
            alone(scheduling, second, Placement(rooms[1].room_id, local(DAY, 13)))
        )
        await asyncio.sleep(0.5)
        assert not racing.done()  # it waits for the first to commit or roll back
        await uow.commit()
    assert await racing == "staff_over_daily_maximum"


async def test_bookings_of_the_same_person_on_other_days_do_not_wait(
    scheduling: Scheduling,
) -> None:
    surgeon, rooms = person("surgeon"), [room(), room()]
    await scheduling.know(surgeon, *rooms)
    today = await long_case(scheduling, surgeon.staff_id, 360)
    tomorrow = await long_case(scheduling, surgeon.staff_id, 360)
    async with scheduling.unit_of_work() as uow:
        await booking.place(
            uow,
            {today: Placement(rooms[0].room_id, local(DAY, 7))},
            settings=scheduling.settings,
            actor=coordinator(),
        )
        later = Placement(rooms[1].room_id, local(DAY + timedelta(days=1), 7))
        assert await asyncio.wait_for(alone(scheduling, tomorrow, later), 5) == "booked"
        await uow.commit()


# --- No more people than a booking holds


async def test_a_case_needing_more_people_than_a_booking_holds_is_refused_not_an_error(
    scheduling: Scheduling,
) -> None:
    # Written before requests were capped: 30 scrub nurses besides the surgeon, one too many.
    made = await team(scheduling)
    nurses = [person("scrub_nurse") for _ in range(30)]
    await scheduling.know(*nurses)
    surgery_id = await request(scheduling, made, equipment_types=[], staff_roles_needed=[])
    async with scheduling.unit_of_work() as uow:
        await uow.session.execute(
            update(surgery_requests)
            .where(surgery_requests.c.surgery_id == surgery_id)
            .values(staff_roles_needed=[{"role": "scrub_nurse", "count": 30}])
        )
        await uow.commit()
    everyone = Placement(
        made.room.room_id,
        START,
        tuple(StaffAssignment(staff_id=n.staff_id, role="scrub_nurse") for n in nurses),
    )
    async with scheduling.unit_of_work() as uow:
        found = await booking.check(uow.session, surgery_id, everyone, scheduling.settings)
    assert [c.code for c in found] == ["too_many_staff"]
    problem = await refusal(scheduling, {surgery_id: everyone})
    assert codes(problem) == [(str(surgery_id), "too_many_staff")]


# --- Booked again after a postponement


async def test_a_case_booked_again_no_longer_says_why_it_was_postponed(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    surgery_id = await request(scheduling, made)
    await place(scheduling, {surgery_id: placement(made)})
    async with scheduling.unit_of_work() as uow:
        await case_moves.postpone(
            uow, surgery_id, "no_bed", "ICU full", by=coordinator(), if_match=None
        )
        await uow.commit()
    row, _ = await current(scheduling, surgery_id)
    assert (row.status, row.reason_code, row.reason) == ("postponed", "no_bed", "ICU full")
    await place(scheduling, {surgery_id: placement(made, START + timedelta(days=1))})
    row, held = await current(scheduling, surgery_id)
    assert (row.status, row.reason_code, row.reason) == ("scheduled", None, None)
    assert held is not None


@pytest.fixture(autouse=True)
def _the_day_is_ahead() -> None:
    assert date.today() < DAY
