"""Seeds the demo hospital outside production, through the same functions the API uses.

Every record therefore gets its snapshot event and audit record, and scheduling can build its
read model from the topics alone. A hospital that has any room already is left as it is,
but for the demo logins linked to their staff members (`demo_logins.py`), which every seed
makes sure of.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from contracts.events.resources_blocks import WeeklyRecurrence
from contracts.values import Weekday, WeeklyHours
from contracts.vocabulary import StaffRole
from servicekit import audit
from servicekit.db import UnitOfWork
from servicekit.service import Runtime
from sqlalchemy import func, select

from resources_service import blocks, rooms, staff
from resources_service.commands import BlockState, NewEquipment, NewUnit, RoomState, StaffState
from resources_service.db.tables import operating_rooms
from resources_service.demo import demo_logins
from resources_service.demo.demo_hospital import BLOCKS, EQUIPMENT, ROOMS, STAFF
from resources_service.equipment import pieces
from resources_service.settings import ResourcesSettings

SEEDER = audit.service_actor("resources-demo")


async def seed(runtime: Runtime[ResourcesSettings]) -> None:
    settings = runtime.settings
    async with runtime.unit_of_work() as uow:
        if not await uow.session.scalar(select(func.count()).select_from(operating_rooms)):
            room_ids = await _rooms(uow, settings)
            staff_ids = await _staff(uow, settings)
            await _equipment(uow, room_ids)
            await _blocks(uow, room_ids, staff_ids, settings)
            await uow.commit()
    # Every seed, so a stack seeded before the demo logins were linked gets the link too.
    await demo_logins.link(runtime, SEEDER)


async def _rooms(uow: UnitOfWork, settings: ResourcesSettings) -> dict[str, uuid.UUID]:
    ids = {}
    for code, name, location, capabilities, hours, status in ROOMS:
        body = RoomState(
            code=code,
            name=name,
            location=location,
            capabilities=capabilities,
            weekly_hours=WeeklyHours.model_validate(hours),
            status=status,
        )
        ids[code] = await rooms.stage_create(uow, body, settings=settings, actor=SEEDER)
    return ids


async def _staff(uow: UnitOfWork, settings: ResourcesSettings) -> dict[str, uuid.UUID]:
    ids = {}
    for name, role, specialties, skills, pattern, max_minutes in STAFF:
        body = StaffState(
            name=name,
            role=StaffRole(role),
            specialties=specialties,
            skills=skills,
            working_pattern=WeeklyHours.model_validate(pattern),
            max_minutes_per_day=max_minutes,
        )
        ids[name] = await staff.stage_create(uow, body, settings=settings, actor=SEEDER)
    return ids


async def _equipment(uow: UnitOfWork, room_ids: dict[str, uuid.UUID]) -> None:
    for name, kind, mobile, turnaround, units in EQUIPMENT:
        body = NewEquipment(
            name=name,
            equipment_type=kind,
            mobile=mobile,
            turnaround_minutes=turnaround,
            units=tuple(
                NewUnit(label, serial, room_ids[room] if room else None)
                for label, serial, room in units
            ),
        )
        await pieces.stage_create(uow, body, actor=SEEDER)


async def _blocks(
    uow: UnitOfWork,
    room_ids: dict[str, uuid.UUID],
    staff_ids: dict[str, uuid.UUID],
    settings: ResourcesSettings,
) -> None:
    # The template starts on this week's Monday and runs until someone changes it.
    today = datetime.now(ZoneInfo(settings.hospital_timezone)).date()
    monday = today - timedelta(days=today.weekday())
    for room, weekdays, start, end, surgeon, service in BLOCKS:
        body = BlockState(
            room_id=room_ids[room],
            surgeon_id=staff_ids[surgeon] if surgeon else None,
            service=service,
            recurrence=WeeklyRecurrence(
                kind="weekly", weekdays=tuple(Weekday(d) for d in weekdays), valid_from=monday
            ),
            start_time=start,
            end_time=end,
        )
        await blocks.stage_allocate(uow, body, actor=SEEDER)
