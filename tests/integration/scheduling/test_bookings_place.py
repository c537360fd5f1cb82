"""Booking and moving cases against PostgreSQL: what is written, atomic moves and swaps,
refusals that name every conflict and leave nothing behind, and races the database settles."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from scheduling_service.booking import booking
from scheduling_service.cases import cases
from scheduling_service.db.tables import audit_log, case_history
from servicekit.problems import Problem
from sqlalchemy import select

from tests.integration.scheduling.booking_cases import (
    START,
    coordinator,
    current,
    events,
    overlaps,
    place,
    placement,
    refusal,
    request,
)
from tests.integration.scheduling.world import Scheduling, Team, person, room, team

HOUR = timedelta(hours=1)


async def test_books_a_waiting_case_with_its_surgeon_people_and_unit(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    surgery_id = await request(scheduling, made)
    await place(scheduling, {surgery_id: placement(made)})
    row, held = await current(scheduling, surgery_id)
    assert (row.status, row.version) == ("scheduled", 2)
    assert held is not None
    assert (held.room_id, held.start, held.end) == (
        made.room.room_id,
        START,
        START + timedelta(minutes=90),
    )
    assert {(a.staff_id, a.role.value) for a in held.staff} == {
        (made.surgeon.staff_id, "surgeon"),
        (made.anaesthetist.staff_id, "anaesthetist"),
    }
    assert held.equipment_unit_ids == (made.unit_ids[0],)
    assert await events(scheduling, surgery_id) == ["SurgeryRequested", "SurgeryScheduled"]


async def test_records_the_booking_in_history_and_audit_with_the_run(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    surgery_id, run_id = await request(scheduling, made), uuid.uuid4()
    await place(scheduling, {surgery_id: placement(made)}, run_id=run_id)
    async with scheduling.unit_of_work() as uow:
        history = (
            await uow.session.execute(
                select(case_history).where(case_history.c.surgery_id == surgery_id)
            )
        ).all()[-1]
        audited = (
            await uow.session.execute(
                select(audit_log).where(
                    audit_log.c.record_id == str(surgery_id), audit_log.c.action == "booking.book"
                )
            )
        ).one()
    assert (history.from_status, history.to_status, history.run_id) == (
        "requested",
        "scheduled",
        run_id,
    )
    assert history.booking["room_id"] == str(made.room.room_id)
    assert audited.details["run_id"] == str(run_id)


async def test_moves_a_booking_atomically_freeing_the_old_slot(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    moved, follower = await request(scheduling, made), await request(scheduling, made)
    await place(scheduling, {moved: placement(made, START)})
    await place(scheduling, {moved: placement(made, START + 3 * HOUR)}, reason_code="no_bed")
    # The old slot is free: the same people and unit take it for another case.
    await place(scheduling, {follower: placement(made, START)})
    row, held = await current(scheduling, moved)
    assert (row.status, row.version, held.start) == ("scheduled", 3, START + 3 * HOUR)
    assert await events(scheduling, moved) == [
        "SurgeryRequested",
        "SurgeryScheduled",
        "SurgeryRescheduled",
    ]


async def test_moves_a_booking_to_a_time_overlapping_its_own_old_one(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    surgery_id = await request(scheduling, made)
    await place(scheduling, {surgery_id: placement(made, START)})
    await place(scheduling, {surgery_id: placement(made, START + timedelta(minutes=30))})
    _, held = await current(scheduling, surgery_id)
    assert held.start == START + timedelta(minutes=30)


async def test_a_moved_confirmed_case_needs_confirming_again(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    surgery_id = await request(scheduling, made)
    await place(scheduling, {surgery_id: placement(made, START)})
    async with scheduling.unit_of_work() as uow:
        await cases.bump(uow.session, surgery_id, status="confirmed")
        await uow.commit()
    await place(scheduling, {surgery_id: placement(made, START + HOUR)})
    row, _ = await current(scheduling, surgery_id)
    assert row.status == "scheduled"
    assert (await events(scheduling, surgery_id))[-2:] == [
        "SurgeryRescheduled",
        "SurgeryStatusChanged",
    ]


async def test_swaps_two_cases_in_one_change(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    first, second = await request(scheduling, made), await request(scheduling, made)
    early, late = placement(made, START), placement(made, START + 3 * HOUR)
    await place(scheduling, {first: early, second: late})
    await place(scheduling, {first: late, second: early})
    assert (await current(scheduling, first))[1].start == late.start
    assert (await current(scheduling, second))[1].start == early.start


async def test_refuses_a_change_whose_cases_clash_with_each_other_and_writes_nothing(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    first, second = await request(scheduling, made), await request(scheduling, made)
    problem = await refusal(
        scheduling, {first: placement(made, START), second: placement(made, START + HOUR)}
    )
    assert problem.status == 409
    codes = {(c["surgery_id"], c["code"]) for c in problem.extensions["conflicts"]}
    assert {(str(first), "room_double_booked"), (str(second), "room_double_booked")} <= codes
    for surgery_id in (first, second):
        row, held = await current(scheduling, surgery_id)
        assert (row.status, row.version, held) == ("requested", 1, None)


async def test_names_every_conflict_with_the_other_case_in_the_way(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    first, second = await request(scheduling, made), await request(scheduling, made)
    await place(scheduling, {first: placement(made, START)})
    problem = await refusal(scheduling, {second: placement(made, START + HOUR)})
    found = [(c["code"], c["other_surgery_id"]) for c in problem.extensions["conflicts"]]
    assert found == [
        ("room_double_booked", str(first)),
        ("staff_double_booked", str(first)),  # the surgeon
        ("staff_double_booked", str(first)),  # the anaesthetist
        ("unit_double_booked", str(first)),
    ]
    assert "refused" in problem.detail


async def test_a_refused_move_keeps_the_old_booking(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    surgery_id = await request(scheduling, made)
    await place(scheduling, {surgery_id: placement(made, START)})
    closed = START.replace(hour=22)
    problem = await refusal(scheduling, {surgery_id: placement(made, closed)})
    assert "room_closed" in [c["code"] for c in problem.extensions["conflicts"]]
    row, held = await current(scheduling, surgery_id)
    assert (row.version, held.start) == (2, START)


async def test_refuses_a_stale_version_with_412(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    surgery_id = await request(scheduling, made)
    problem = await refusal(scheduling, {surgery_id: placement(made)}, if_match='"7"')
    assert problem.status == 412
    await place(scheduling, {surgery_id: placement(made)}, if_match='"1"')


async def test_the_database_settles_a_race_past_the_checks_with_a_named_409(
    scheduling: Scheduling,
) -> None:
    # The winner has written but not committed when the loser checks: the loser's check sees
    # nothing, its insert waits on the winner's row, then the exclusion constraint refuses it.
    made = await team(scheduling)
    others = person("surgeon"), person("anaesthetist")
    await scheduling.know(*others)
    winner = await request(scheduling, made)
    loser = await request(scheduling, made, surgeon_id=others[0].staff_id)
    async with scheduling.unit_of_work() as uow:
        await booking.place(
            uow, {winner: placement(made)}, settings=scheduling.settings, actor=coordinator()
        )
        racing = asyncio.create_task(
            refusal(
                scheduling,
                {
                    loser: placement(
                        made, anaesthetist_id=others[1].staff_id, unit_id=made.unit_ids[1]
                    )
                },
            )
        )
        await asyncio.sleep(0.5)
        assert not racing.done()
        await uow.commit()
    problem = await racing
    assert problem.status == 409
    assert [(c["code"], c["other_surgery_id"]) for c in problem.extensions["conflicts"]] == [
        ("room_double_booked", str(winner))
    ]
    assert await overlaps(scheduling) == dict.fromkeys(
        ("bookings", "staff_assignments", "equipment_usages"), 0
    )


async def test_a_booking_request_that_loses_the_race_names_the_winner_and_is_audited(
    scheduling: Scheduling,
) -> None:
    # `book` owns its transaction and writes without a savepoint: the refused insert aborts
    # it, and the winner is named from a new one; the refusal is audited, nothing written.
    made = await team(scheduling)
    others = person("surgeon"), person("anaesthetist")
    await scheduling.know(*others)
    winner = await request(scheduling, made)
    loser = await request(scheduling, made, surgeon_id=others[0].staff_id)
    where = placement(made, anaesthetist_id=others[1].staff_id, unit_id=made.unit_ids[1])

    async def book_the_loser() -> Problem:
        async with scheduling.unit_of_work() as uow:
            with pytest.raises(Problem) as caught:
                await booking.book(
                    uow, loser, where, settings=scheduling.settings, actor=coordinator()
                )
        return caught.value

    async with scheduling.unit_of_work() as uow:
        await booking.place(
            uow, {winner: placement(made)}, settings=scheduling.settings, actor=coordinator()
        )
        racing = asyncio.create_task(book_the_loser())
        await asyncio.sleep(0.5)
        assert not racing.done()
        await uow.commit()
    problem = await racing
    assert isinstance(problem, booking.RaceLost)
    assert [(c["code"], c["other_surgery_id"]) for c in problem.extensions["conflicts"]] == [
        ("room_double_booked", str(winner))
    ]
    row, held = await current(scheduling, loser)
    assert (row.status, row.version, held) == ("requested", 1, None)
    async with scheduling.unit_of_work() as uow:
        actions = await uow.session.scalars(
            select(audit_log.c.action).where(audit_log.c.record_id == str(loser))
        )
        assert list(actions) == ["surgery.create", "booking.refused"]
    assert await overlaps(scheduling) == dict.fromkeys(
        ("bookings", "staff_assignments", "equipment_usages"), 0
    )


async def test_books_cases_in_different_rooms_at_once_without_waiting(
    scheduling: Scheduling,
) -> None:
    made = await team(scheduling)
    elsewhere = room()
    others = person("surgeon"), person("anaesthetist")
    await scheduling.know(elsewhere, *others)
    first = await request(scheduling, made)
    second = await request(scheduling, made, surgeon_id=others[0].staff_id)
    async with scheduling.unit_of_work() as uow:
        await booking.place(
            uow, {first: placement(made)}, settings=scheduling.settings, actor=coordinator()
        )
        other = placement(
            made,
            room_id=elsewhere.room_id,
            anaesthetist_id=others[1].staff_id,
            unit_id=made.unit_ids[1],
        )
        await asyncio.wait_for(place(scheduling, {second: other}), timeout=5)
        await uow.commit()


async def test_refuses_a_case_that_is_no_longer_bookable(scheduling: Scheduling) -> None:
    made = await team(scheduling)
    surgery_id = await request(scheduling, made)
    async with scheduling.unit_of_work() as uow:
        await cases.bump(uow.session, surgery_id, status="cancelled")
        await uow.commit()
    problem = await refusal(scheduling, {surgery_id: placement(made)})
    assert [c["code"] for c in problem.extensions["conflicts"]] == ["case_not_bookable"]


async def test_unknown_case_is_404(scheduling: Scheduling) -> None:
    made: Team = await team(scheduling)
    problem = await refusal(scheduling, {uuid.uuid4(): placement(made)})
    assert problem.status == 404
