"""The booked cases a day list shows, with their request, surgeon's name, people and units.

Read in four queries at most whatever their number: the cases with their surgeons, everyone
assigned, every equipment unit, and their rooms unless the caller has them.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from contracts.calendar.spans import Span
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from sqlalchemy import ColumnElement, Result, Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service.db.tables import (
    bookings,
    equipment_units,
    equipment_usages,
    staff,
    staff_assignments,
    surgery_requests,
)
from scheduling_service.read_model import resources_view

# What a day list shows of each request (its booked setup and cleanup come with the booking).
_REQUEST_COLUMNS = [
    surgery_requests.c[name]
    for name in (
        "status",
        "patient_mrn",
        "procedure_code",
        "procedure_name",
        "procedure_coding_system",
        "surgeon_id",
        "requested_by",
        "specialty",
        "anaesthesia_type",
        "priority",
        "expected_duration_minutes",
        "wheels_in",
        "wheels_out",
        "version",
    )
]


@dataclass(frozen=True, slots=True)
class ListedCase:
    """A booked case joined with its request, its room, surgeon's name, people and units."""

    row: Row[Any]
    room: OperatingRoomUpserted | None
    staff: list[Row[Any]]
    units: list[Row[Any]]

    @property
    def room_held_from(self) -> datetime:
        starts_at: datetime = self.row.starts_at
        return starts_at - timedelta(minutes=self.row.setup_minutes)

    @property
    def room_held_until(self) -> datetime:
        ends_at: datetime = self.row.ends_at
        return ends_at + timedelta(minutes=self.row.cleanup_minutes)


async def read(
    session: AsyncSession,
    window: Span,
    conditions: list[ColumnElement[bool]],
    rooms: dict[uuid.UUID, OperatingRoomUpserted] | None,
) -> list[ListedCase]:
    """The cases booked to start in `window` that meet `conditions`, in start order, with
    their people and units (and their rooms, read here unless given): four queries at most."""
    where = [bookings.c.starts_at >= window.start, bookings.c.starts_at < window.end, *conditions]
    chosen = (
        select(bookings.c.surgery_id)
        .join(surgery_requests, surgery_requests.c.surgery_id == bookings.c.surgery_id)
        .where(*where)
    )
    surgeon = staff.alias("surgeon")
    rows = (
        await session.execute(
            select(bookings, *_REQUEST_COLUMNS, surgeon.c.name.label("surgeon_name"))
            .join(surgery_requests, surgery_requests.c.surgery_id == bookings.c.surgery_id)
            .outerjoin(surgeon, surgeon.c.staff_id == surgery_requests.c.surgeon_id)
            .where(*where)
            .order_by(bookings.c.starts_at, bookings.c.room_id, bookings.c.surgery_id)
        )
    ).all()
    if rooms is None:
        rooms = await resources_view.rooms_by_id(session, {row.room_id for row in rows})
    people = await _people(session, chosen)
    units = await _units(session, chosen)
    return [
        ListedCase(row, rooms.get(row.room_id), people[row.surgery_id], units[row.surgery_id])
        for row in rows
    ]


async def _people(session: AsyncSession, chosen: Any) -> defaultdict[uuid.UUID, list[Row[Any]]]:
    rows: Result[Any] = await session.execute(
        select(
            staff_assignments.c.surgery_id,
            staff_assignments.c.staff_id,
            staff_assignments.c.role,
            staff.c.name,
        )
        .outerjoin(staff, staff.c.staff_id == staff_assignments.c.staff_id)
        .where(staff_assignments.c.surgery_id.in_(chosen))
        # The surgeon first, then the others by role and name.
        .order_by(
            staff_assignments.c.role != "surgeon",
            staff_assignments.c.role,
            staff.c.name,
            staff_assignments.c.staff_id,
        )
    )
    found: defaultdict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        found[row.surgery_id].append(row)
    return found


async def _units(session: AsyncSession, chosen: Any) -> defaultdict[uuid.UUID, list[Row[Any]]]:
    rows: Result[Any] = await session.execute(
        select(
            equipment_usages.c.surgery_id,
            equipment_usages.c.unit_id,
            equipment_usages.c.equipment_type,
            equipment_units.c.label,
        )
        .outerjoin(equipment_units, equipment_units.c.unit_id == equipment_usages.c.unit_id)
        .where(equipment_usages.c.surgery_id.in_(chosen))
        .order_by(equipment_usages.c.equipment_type, equipment_units.c.label)
    )
    found: defaultdict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        found[row.surgery_id].append(row)
    return found
