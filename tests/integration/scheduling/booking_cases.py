"""What the booking integration tests share: cases on the waiting list, placements, and the
queries that tell whether anything in the database overlaps."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from contracts.events.scheduling_surgeries import StaffAssignment
from contracts.topics import SCHEDULING_SURGERIES
from scheduling_service.api.schemas.surgeries import SurgeryCreate
from scheduling_service.booking import booking
from scheduling_service.booking.booking import Placement
from scheduling_service.cases import cases, surgeries
from servicekit.auth import Principal
from servicekit.messaging.schema import outbox
from servicekit.problems import Problem
from sqlalchemy import select, text

from tests.integration.scheduling.world import TIMEZONE, Scheduling, Team


def some_day(weeks_ahead: int = 4) -> date:
    """A Wednesday `weeks_ahead` weeks from now: in the future (a booking cannot start in the
    past), never on a change of daylight saving time."""
    today = date.today()
    return today + timedelta(days=(2 - today.weekday()) % 7 + 7 * weeks_ahead)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """The aware instant of `hour:minute` on `day` in the hospital's time zone."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(TIMEZONE))


DAY = some_day()
START = local(DAY, 9)

# Pairs of rows of one table holding the same resource over overlapping spans.
OVERLAPS = {
    "bookings": """
        SELECT count(*) FROM bookings a JOIN bookings b
        ON a.room_id = b.room_id AND a.surgery_id < b.surgery_id
        AND a.room_period && b.room_period""",
    "staff_assignments": """
        SELECT count(*) FROM staff_assignments a JOIN staff_assignments b
        ON a.staff_id = b.staff_id AND a.surgery_id < b.surgery_id AND a.period && b.period""",
    "equipment_usages": """
        SELECT count(*) FROM equipment_usages a JOIN equipment_usages b
        ON a.unit_id = b.unit_id AND a.surgery_id < b.surgery_id AND a.period && b.period""",
}


def coordinator() -> Principal:
    return Principal(
        user_id=str(uuid.uuid4()), roles=frozenset({"coordinator"}), token_id="t", expires_at=0
    )


async def request(
    scheduling: Scheduling, made: Team, surgeon_id: uuid.UUID | None = None, **changes: Any
) -> uuid.UUID:
    """A case of the team's surgeon (or `surgeon_id`'s) needing an anaesthetist and a C-arm."""
    return await request_for(scheduling, surgeon_id or made.surgeon.staff_id, **changes)


async def request_for(scheduling: Scheduling, surgeon_id: uuid.UUID, **changes: Any) -> uuid.UUID:
    """A case needing an anaesthetist and a C-arm: 90 minutes, 20 setup, 15 cleanup."""
    body: dict[str, Any] = {
        "patient_mrn": f"MRN-{uuid.uuid4().hex[:8]}",
        "procedure": {"code": "W40.1", "name": "Total knee replacement"},
        "surgeon_id": surgeon_id,
        "specialty": "orthopaedics",
        "expected_duration_minutes": 90,
        "setup_minutes": 20,
        "cleanup_minutes": 15,
        "priority": "elective",
        "required_capabilities": ["general"],
        "equipment_types": ["c_arm"],
        "anaesthesia_type": "general",
        "staff_roles_needed": [{"role": "anaesthetist"}],
    }
    async with scheduling.unit_of_work() as uow:
        surgery_id = await surgeries.create(
            uow, SurgeryCreate.model_validate(body | changes).command(), requester=coordinator()
        )
        await uow.commit()
    return surgery_id


def placement(
    made: Team,
    start: datetime = START,
    *,
    room_id: uuid.UUID | None = None,
    anaesthetist_id: uuid.UUID | None = None,
    unit_id: uuid.UUID | None = None,
) -> Placement:
    """The case in the team's room at `start` with its anaesthetist and first C-arm."""
    return Placement(
        room_id=room_id or made.room.room_id,
        start=start,
        staff=(
            StaffAssignment(
                staff_id=anaesthetist_id or made.anaesthetist.staff_id, role="anaesthetist"
            ),
        ),
        equipment_unit_ids=(unit_id or made.unit_ids[0],),
    )


async def place(scheduling: Scheduling, placements: dict, **options: object) -> None:
    """`booking.place` in a unit of work of its own, committed."""
    async with scheduling.unit_of_work() as uow:
        await booking.place(
            uow,
            placements,
            settings=scheduling.settings,
            actor=options.pop("actor", coordinator()),
            **options,  # type: ignore[arg-type]
        )
        await uow.commit()


async def refusal(scheduling: Scheduling, placements: dict, **options: object) -> Problem:
    """The problem `place` refuses with."""
    with pytest.raises(Problem) as caught:
        await place(scheduling, placements, **options)
    return caught.value


async def current(scheduling: Scheduling, surgery_id: uuid.UUID):
    """The case's row and its booking (or None)."""
    async with scheduling.unit_of_work() as uow:
        return (
            await cases.find(uow.session, surgery_id),
            await cases.booking_of(uow.session, surgery_id),
        )


async def overlaps(scheduling: Scheduling) -> dict[str, int]:
    """How many pairs of rows overlap in each table (always 0, whatever happened)."""
    async with scheduling.unit_of_work() as uow:
        return {
            table: (await uow.session.execute(text(query))).scalar_one()
            for table, query in OVERLAPS.items()
        }


async def events(scheduling: Scheduling, key: uuid.UUID) -> list[str]:
    """The types of the case's events in the outbox, oldest first."""
    async with scheduling.unit_of_work() as uow:
        query = (
            select(outbox.c.event_type)
            .where(outbox.c.topic == SCHEDULING_SURGERIES.name, outbox.c.message_key == str(key))
            .order_by(outbox.c.id)
        )
        return list(await uow.session.scalars(query))
