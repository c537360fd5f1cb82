"""Surgery requests and their lifecycle against PostgreSQL: events, history, freed bookings,
wheels times that cannot be true refused with nothing written."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from contracts.events.scheduling_surgeries import Booking, StaffAssignment
from contracts.topics import AUDIT_EVENTS, SCHEDULING_SURGERIES
from scheduling_service.api.schemas.surgeries import SurgeryCreate
from scheduling_service.cases import case_moves, cases, surgeries
from scheduling_service.cases.case_request import CaseRequest
from scheduling_service.db.tables import (
    bookings,
    case_history,
    equipment_usages,
    staff_assignments,
)
from scheduling_service.read_model import resources_view
from servicekit.auth import Principal
from servicekit.db import UnitOfWork
from servicekit.messaging.schema import outbox
from servicekit.problems import Problem
from sqlalchemy import func, select

from tests.integration.scheduling.world import Scheduling, Team, at, team

# Cases are booked (without the booking API's checks) to have started two hours ago, so that
# their wheels times can be recorded: no time ahead of the clock is.
START = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)


def _coordinator() -> Principal:
    return Principal(
        user_id=str(uuid.uuid4()), roles=frozenset({"coordinator"}), token_id="t", expires_at=0
    )


def _request(made: Team, **changes: Any) -> CaseRequest:
    body: dict[str, Any] = {
        "patient_mrn": f"MRN-{uuid.uuid4().hex[:8]}",
        "procedure": {"code": "W40.1", "name": "Total knee replacement"},
        "surgeon_id": made.surgeon.staff_id,
        "specialty": "orthopaedics",
        "expected_duration_minutes": 90,
        "setup_minutes": 20,
        "cleanup_minutes": 15,
        "priority": "elective",
        "equipment_types": ["c_arm"],
        "anaesthesia_type": "general",
        "staff_roles_needed": [{"role": "anaesthetist"}, {"role": "scrub_nurse"}],
        "notes": "Prefers the morning",
    }
    return SurgeryCreate.model_validate(body | changes).command()


async def _requested(scheduling: Scheduling, made: Team, who: Principal) -> uuid.UUID:
    async with scheduling.unit_of_work() as uow:
        surgery_id = await surgeries.create(uow, _request(made), requester=who)
        await uow.commit()
    return surgery_id


async def _booked(
    scheduling: Scheduling, made: Team, surgery_id: uuid.UUID, start: datetime = START
) -> Booking:
    """Places the case as the booking API would, without its checks; the booking as stored."""
    booking = Booking(
        room_id=made.room.room_id,
        start=start,
        end=start + timedelta(minutes=90),
        setup_minutes=20,
        cleanup_minutes=15,
        staff=(
            StaffAssignment(staff_id=made.surgeon.staff_id, role="surgeon"),
            StaffAssignment(staff_id=made.anaesthetist.staff_id, role="anaesthetist"),
            StaffAssignment(staff_id=made.nurse.staff_id, role="scrub_nurse"),
        ),
        equipment_unit_ids=(made.unit_ids[0],),
    )
    async with scheduling.unit_of_work() as uow:
        units = await resources_view.units_by_id(uow.session, booking.equipment_unit_ids)
        await cases.write_bookings(
            uow.session, {surgery_id: booking}, units, booked_by=None, run_id=None
        )
        await cases.bump(uow.session, surgery_id, status="scheduled")
        stored = await cases.booking_of(uow.session, surgery_id)
        await uow.commit()
    assert stored is not None
    return stored


async def _outbox(scheduling: Scheduling, topic: str, key: uuid.UUID) -> list[Any]:
    async with scheduling.unit_of_work() as uow:
        query = (
            select(outbox)
            .where(outbox.c.topic == topic, outbox.c.message_key == str(key))
            .order_by(outbox.c.id)
        )
        return list((await uow.session.execute(query)).all())


async def _history(scheduling: Scheduling, surgery_id: uuid.UUID) -> list[Any]:
    async with scheduling.unit_of_work() as uow:
        query = (
            select(case_history)
            .where(case_history.c.surgery_id == surgery_id)
            .order_by(case_history.c.entry_id)
        )
        return list((await uow.session.execute(query)).all())


async def test_a_request_and_its_cancellation_leave_their_events_in_the_outbox_in_order(
    scheduling: Scheduling,
) -> None:
    made, who = await team(scheduling), _coordinator()
    surgery_id = await _requested(scheduling, made, who)
    async with scheduling.unit_of_work() as uow:
        await case_moves.cancel(
            uow, surgery_id, "patient_unfit", "Chest infection", by=who, if_match='"1"'
        )
        await uow.commit()

    events = await _outbox(scheduling, SCHEDULING_SURGERIES.name, surgery_id)
    assert [e.event_type for e in events] == ["SurgeryRequested", "SurgeryCancelled"]
    requested, cancelled = (e.envelope["data"] for e in events)
    assert requested["surgery_id"] == str(surgery_id) and "notes" not in requested
    assert requested["requested_by"] == who.user_id
    assert (cancelled["reason_code"], cancelled["reason"]) == ("patient_unfit", "Chest infection")
    assert cancelled["cancelled_by"] == who.user_id
    audited = await _outbox(scheduling, AUDIT_EVENTS.name, surgery_id)
    actions = [e.envelope["data"]["action"] for e in audited]
    assert actions == ["surgery.create", "surgery.cancel"]


async def test_a_case_through_its_day_writes_a_history_line_and_an_event_per_move(
    scheduling: Scheduling,
) -> None:
    made, who = await team(scheduling), _coordinator()
    surgery_id = await _requested(scheduling, made, who)
    booking = await _booked(scheduling, made, surgery_id)
    async with scheduling.unit_of_work() as uow:
        await case_moves.confirm(uow, surgery_id, by=who, if_match='"2"')
        await case_moves.wheels_in(uow, surgery_id, START, by=who, if_match='"3"')
        await case_moves.wheels_out(
            uow, surgery_id, START + timedelta(minutes=80), by=who, if_match='"4"'
        )
        await uow.commit()

    history = await _history(scheduling, surgery_id)
    assert [(h.from_status, h.to_status) for h in history] == [
        (None, "requested"),
        ("scheduled", "confirmed"),
        ("confirmed", "in_room"),
        ("in_room", "completed"),
    ]
    assert all(Booking.model_validate(h.booking) == booking for h in history[1:])
    events = await _outbox(scheduling, SCHEDULING_SURGERIES.name, surgery_id)
    changes = [e.envelope["data"] for e in events[1:]]
    assert [(c["from_status"], c["to_status"]) for c in changes] == [
        ("scheduled", "confirmed"),
        ("confirmed", "in_room"),
        ("in_room", "completed"),
    ]
    assert at(changes[2]["wheels_out"]) - at(changes[2]["wheels_in"]) == timedelta(minutes=80)
    async with scheduling.unit_of_work() as uow:
        done = await surgeries.current(uow.session, surgery_id)
    assert (done.row.status, done.row.version, done.booking) == ("completed", 5, booking)


@pytest.mark.parametrize("action", ["postpone", "cancel"])
async def test_stopping_a_booked_case_frees_room_people_and_unit_and_keeps_the_booking_in_history(
    scheduling: Scheduling, action: str
) -> None:
    made, who = await team(scheduling), _coordinator()
    surgery_id = await _requested(scheduling, made, who)
    booking = await _booked(scheduling, made, surgery_id)
    async with scheduling.unit_of_work() as uow:
        stop = case_moves.postpone if action == "postpone" else case_moves.cancel
        await stop(uow, surgery_id, "no_bed", None, by=who, if_match=None)
        await uow.commit()

    async with scheduling.unit_of_work() as uow:
        for table in (bookings, staff_assignments, equipment_usages):
            held = select(func.count()).where(table.c.surgery_id == surgery_id)
            assert await uow.session.scalar(held) == 0, table.name
        stopped = await surgeries.current(uow.session, surgery_id)
    assert (stopped.row.status, stopped.row.reason_code, stopped.booking) == (
        "postponed" if action == "postpone" else "cancelled",
        "no_bed",
        None,
    )
    last = (await _history(scheduling, surgery_id))[-1]
    assert (last.from_status, last.reason_code) == ("scheduled", "no_bed")
    assert Booking.model_validate(last.booking) == booking
    # The time is free again: another case takes the very same room, people and unit.
    other = await _requested(scheduling, made, who)
    assert await _booked(scheduling, made, other) == booking


async def test_two_cancellations_at_once_cancel_the_case_once(scheduling: Scheduling) -> None:
    made, who = await team(scheduling), _coordinator()
    surgery_id = await _requested(scheduling, made, who)

    async def cancel() -> None:
        async with scheduling.unit_of_work() as uow:
            await case_moves.cancel(uow, surgery_id, "other", None, by=who, if_match=None)
            await uow.commit()

    outcomes = await asyncio.gather(cancel(), cancel(), return_exceptions=True)
    refused = [o for o in outcomes if isinstance(o, Problem)]
    assert [p.status for p in refused] == [409]
    assert outcomes.count(None) == 1
    events = await _outbox(scheduling, SCHEDULING_SURGERIES.name, surgery_id)
    assert [e.event_type for e in events] == ["SurgeryRequested", "SurgeryCancelled"]


async def test_a_stale_version_is_refused_and_nothing_is_written(scheduling: Scheduling) -> None:
    made, who = await team(scheduling), _coordinator()
    surgery_id = await _requested(scheduling, made, who)
    async with scheduling.unit_of_work() as uow:
        with pytest.raises(Problem) as refused:
            await case_moves.cancel(uow, surgery_id, "other", None, by=who, if_match='"2"')
    assert refused.value.status == 412
    assert len(await _history(scheduling, surgery_id)) == 1


async def test_a_correction_publishes_the_whole_request_as_corrected(
    scheduling: Scheduling,
) -> None:
    made, who = await team(scheduling), _coordinator()
    surgery_id = await _requested(scheduling, made, who)
    fixer = _coordinator()
    async with scheduling.unit_of_work() as uow:
        body = _request(made, priority="emergency", due_date="2027-04-01")
        await surgeries.correct(uow, surgery_id, body, requester=fixer, if_match='"1"')
        await uow.commit()

    events = await _outbox(scheduling, SCHEDULING_SURGERIES.name, surgery_id)
    assert [e.event_type for e in events] == ["SurgeryRequested", "SurgeryRequestChanged"]
    changed = events[1].envelope["data"]
    assert (changed["priority"], changed["due_date"]) == ("emergency", "2027-04-01")
    assert (changed["requested_by"], changed["changed_by"]) == (who.user_id, fixer.user_id)
    audited = await _outbox(scheduling, AUDIT_EVENTS.name, surgery_id)
    update = audited[-1].envelope["data"]
    assert update["action"] == "surgery.update"
    assert set(update["details"]["changed"]) >= {"priority", "due_date", "patient_mrn"}


async def _refused_move(
    scheduling: Scheduling, move: Callable[[UnitOfWork], Awaitable[None]]
) -> Problem:
    """The problem `move(uow)` raises; the unit of work is never committed."""
    async with scheduling.unit_of_work() as uow:
        with pytest.raises(Problem) as refused:
            await move(uow)
    return refused.value


async def test_implausible_wheels_in_times_are_refused_and_nothing_is_written(
    scheduling: Scheduling,
) -> None:
    made, who = await team(scheduling), _coordinator()
    surgery_id = await _requested(scheduling, made, who)
    await _booked(scheduling, made, surgery_id)
    for came_in, says in (
        (datetime.now(UTC) + timedelta(minutes=10), "is in the future"),
        (at("2199-01-01T09:00:00+01:00"), "is in the future"),
        (START - timedelta(hours=12, minutes=1), "more than 12 hours before the booked start"),
    ):
        wheeled_in = partial(case_moves.wheels_in, surgery_id=surgery_id, at=came_in, by=who)
        problem = await _refused_move(scheduling, partial(wheeled_in, if_match=None))
        assert (problem.status, says in problem.detail) == (422, True), problem.detail
    async with scheduling.unit_of_work() as uow:
        case = await surgeries.current(uow.session, surgery_id)
    assert (case.row.status, case.row.version, case.row.wheels_in) == ("scheduled", 2, None)
    assert len(await _history(scheduling, surgery_id)) == 1
    events = await _outbox(scheduling, SCHEDULING_SURGERIES.name, surgery_id)
    assert [e.event_type for e in events] == ["SurgeryRequested"]


async def test_a_wheels_out_more_than_a_day_after_wheels_in_is_refused(
    scheduling: Scheduling,
) -> None:
    made, who = await team(scheduling), _coordinator()
    surgery_id = await _requested(scheduling, made, who)
    three_days_ago = START - timedelta(days=3)
    await _booked(scheduling, made, surgery_id, three_days_ago)
    async with scheduling.unit_of_work() as uow:
        await case_moves.wheels_in(uow, surgery_id, three_days_ago, by=who, if_match=None)
        await uow.commit()
    for went_out, says in (
        (three_days_ago + timedelta(hours=24, minutes=1), "more than 24 hours after wheels_in"),
        (datetime.now(UTC), "more than 24 hours after wheels_in"),
        (datetime.now(UTC) + timedelta(minutes=6), "is in the future"),
    ):
        wheeled_out = partial(case_moves.wheels_out, surgery_id=surgery_id, at=went_out, by=who)
        problem = await _refused_move(scheduling, partial(wheeled_out, if_match=None))
        assert (problem.status, says in problem.detail) == (422, True), problem.detail
    async with scheduling.unit_of_work() as uow:
        await case_moves.wheels_out(
            uow, surgery_id, three_days_ago + timedelta(hours=24), by=who, if_match=None
        )
        await uow.commit()
        done = await surgeries.current(uow.session, surgery_id)
    assert (done.row.status, done.row.wheels_out) == ("completed", three_days_ago + timedelta(1))
