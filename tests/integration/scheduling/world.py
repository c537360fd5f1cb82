"""A scheduling service of its own per test: its tables in a fresh schema, its read model fed.

The read model is filled by the service's own handlers from contract snapshots the test makes
(`room`, `person`, `c_arm`), exactly as the consumer would apply them from the resources topics.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from contracts.envelope import Envelope, Event
from contracts.events.resources_equipment import EquipmentUnit, EquipmentUpserted
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from contracts.events.resources_staff import StaffMemberUpserted
from contracts.values import LocalTimeRange, WeeklyHours
from contracts.vocabulary import StaffRole
from scheduling_service.db.tables import metadata
from scheduling_service.handlers import resources as read_model
from scheduling_service.settings import SchedulingSettings
from servicekit.db import UnitOfWork, create_engine
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from tests.conftest import KIT_DATABASE_URL

TIMEZONE = "Europe/Amsterdam"
DAY = (LocalTimeRange(start="07:00", end="19:00"),)
EVERY_DAY = WeeklyHours(
    monday=DAY, tuesday=DAY, wednesday=DAY, thursday=DAY, friday=DAY, saturday=DAY, sunday=DAY
)


async def scheduling_engine(schema: str) -> AsyncEngine:
    """An engine on `schema` with the scheduling tables created in it (btree_gist in public)."""
    engine = create_engine(KIT_DATABASE_URL, pool_size=5, search_path=f"{schema}, public")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return engine


def room(**changes: Any) -> OperatingRoomUpserted:
    """A room open every day 07:00-19:00 local time, general and orthopaedic."""
    values: dict[str, Any] = {
        "room_id": uuid.uuid4(),
        "code": f"OR-{uuid.uuid4().hex[:6]}",
        "name": "Theatre",
        "capabilities": ("general", "orthopaedic"),
        "weekly_hours": EVERY_DAY,
        "timezone": TIMEZONE,
        "version": 1,
    }
    return OperatingRoomUpserted(**(values | changes))


def person(role: StaffRole | str = StaffRole.SURGEON, **changes: Any) -> StaffMemberUpserted:
    """A staff member working every day 07:00-19:00, at most 600 minutes a day."""
    values: dict[str, Any] = {
        "staff_id": uuid.uuid4(),
        "name": f"{role} {uuid.uuid4().hex[:4]}",
        "role": role,
        "specialties": ("orthopaedics",) if role == StaffRole.SURGEON else (),
        "working_pattern": EVERY_DAY,
        "timezone": TIMEZONE,
        "max_minutes_per_day": 600,
        "version": 1,
    }
    return StaffMemberUpserted(**(values | changes))


def c_arm(units: int = 2, **changes: Any) -> EquipmentUpserted:
    """Mobile C-arms with a 30-minute turnaround."""
    values: dict[str, Any] = {
        "equipment_id": uuid.uuid4(),
        "name": "C-arm",
        "equipment_type": "c_arm",
        "mobile": True,
        "turnaround_minutes": 30,
        "units": tuple(
            EquipmentUnit(unit_id=uuid.uuid4(), label=f"C-arm {n}") for n in range(units)
        ),
        "version": 1,
    }
    return EquipmentUpserted(**(values | changes))


@dataclass
class Scheduling:
    """One test's scheduling service: its schema, its units of work, its read model."""

    engine: AsyncEngine
    schema: str
    settings: SchedulingSettings = field(
        default_factory=lambda: SchedulingSettings(database_url=KIT_DATABASE_URL)
    )
    user_id: uuid.UUID = field(default_factory=uuid.uuid4)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        async with UnitOfWork(async_sessionmaker(self.engine), "scheduling") as uow:
            yield uow

    async def know(self, *snapshots: Event) -> None:
        """Applies resources snapshots to the read model, as the consumer would."""
        async with self.unit_of_work() as uow:
            for snapshot in snapshots:
                if isinstance(snapshot, OperatingRoomUpserted):
                    await read_model.on_room(uow.session, snapshot, _envelope(snapshot))
                elif isinstance(snapshot, StaffMemberUpserted):
                    await read_model.on_staff(uow.session, snapshot, _envelope(snapshot))
                elif isinstance(snapshot, EquipmentUpserted):
                    await read_model.on_equipment(uow.session, snapshot, _envelope(snapshot))
                else:
                    await read_model.on_block(uow.session, snapshot, _envelope(snapshot))
            await uow.commit()


def _envelope(event: Event) -> Envelope:
    return Envelope.wrap(event, producer="resources")


@dataclass
class Team:
    """A room, a surgeon, an anaesthetist, a scrub nurse and two C-arms, all known."""

    room: OperatingRoomUpserted
    surgeon: StaffMemberUpserted
    anaesthetist: StaffMemberUpserted
    nurse: StaffMemberUpserted
    c_arms: EquipmentUpserted

    @property
    def unit_ids(self) -> list[uuid.UUID]:
        return [u.unit_id for u in self.c_arms.units]


async def team(scheduling: Scheduling) -> Team:
    made = Team(
        room(),
        person(StaffRole.SURGEON),
        person(StaffRole.ANAESTHETIST),
        person(StaffRole.SCRUB_NURSE),
        c_arm(),
    )
    await scheduling.know(made.room, made.surgeon, made.anaesthetist, made.nurse, made.c_arms)
    return made


def at(text: str) -> datetime:
    """An aware instant from ISO text; a naive one is taken as UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
