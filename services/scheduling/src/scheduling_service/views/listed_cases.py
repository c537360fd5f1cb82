"""The booked cases a day list shows, with their request, surgeon's name, people and units.

Read in two queries at most whatever their number: the cases with their surgeons, everyone
assigned and every equipment unit (aggregated beside each case), and their rooms unless the
caller has them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from contracts.calendar.spans import Span
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from sqlalchemy import ColumnElement, Row, Select, bindparam, func, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
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
    staff: list[Person]
    units: list[ReservedUnit]

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
    their people and units (and their rooms, read here unless given): two queries at most."""
    # The statement is built once; only a person's or a room's list adds its condition.
    statement = _LISTED.where(*conditions) if conditions else _LISTED
    window_bounds = {"window_start": window.start, "window_end": window.end}
    rows = (await session.execute(statement, window_bounds)).all()
    if rooms is None:
        rooms = await resources_view.rooms_by_id(session, {row[_ROOM_ID] for row in rows})
    # By position (a row's attributes are looked up by name): `_listed()`'s columns.
    return [
        ListedCase(
            row,
            rooms.get(row[_ROOM_ID]),
            _people(*row[_PEOPLE_AT : _PEOPLE_AT + 3]),
            _units(*row[_UNITS_AT : _UNITS_AT + 3]),
        )
        for row in rows
    ]


# Named tuples, not dataclasses: a day list makes one per person and unit of every case, and
# a tuple is made at a fraction of a frozen dataclass's cost.
class Person(NamedTuple):
    """Someone a booking assigns, with their name when the read model knows them."""

    staff_id: uuid.UUID
    role: str
    name: str | None


class ReservedUnit(NamedTuple):
    """An equipment unit a booking holds, with its label when the read model knows it."""

    unit_id: uuid.UUID
    equipment_type: str
    label: str | None


def _people(ids: list[Any] | None, roles: list[str], names: list[str | None]) -> list[Person]:
    if ids is None:
        return []
    return list(map(Person._make, zip(ids, roles, names, strict=True)))


def _units(ids: list[Any] | None, kinds: list[str], labels: list[str | None]) -> list[ReservedUnit]:
    if ids is None:
        return []
    return list(map(ReservedUnit._make, zip(ids, kinds, labels, strict=True)))


def _people_and_units() -> tuple[Any, Any]:
    """Each booking's people (the surgeon first, then by role and name) and units (by type
    and label) as arrays: two lateral subqueries on the day list's booking row."""
    a = staff_assignments.c
    people_order = (a.role != "surgeon", a.role, staff.c.name, a.staff_id)
    people = (
        select(
            *(
                func.array_agg(aggregate_order_by(column, *people_order)).label(label)
                for column, label in (
                    (a.staff_id, "people_ids"),
                    (a.role, "people_roles"),
                    (staff.c.name, "people_names"),
                )
            )
        )
        .select_from(staff_assignments.outerjoin(staff, staff.c.staff_id == a.staff_id))
        .where(a.surgery_id == bookings.c.surgery_id)
        .lateral("people")
    )
    u = equipment_usages.c
    units_order = (u.equipment_type, equipment_units.c.label, u.unit_id)
    units = (
        select(
            *(
                func.array_agg(aggregate_order_by(column, *units_order)).label(label)
                for column, label in (
                    (u.unit_id, "unit_ids"),
                    (u.equipment_type, "unit_types"),
                    (equipment_units.c.label, "unit_labels"),
                )
            )
        )
        .select_from(
            equipment_usages.outerjoin(equipment_units, equipment_units.c.unit_id == u.unit_id)
        )
        .where(u.surgery_id == bookings.c.surgery_id)
        .lateral("units")
    )
    return people, units


_PEOPLE, _UNITS = _people_and_units()


# What a day list shows of each booking.
_BOOKING_COLUMNS = [
    bookings.c[name]
    for name in (
        "surgery_id",
        "room_id",
        "starts_at",
        "ends_at",
        "setup_minutes",
        "cleanup_minutes",
    )
]


def _listed() -> Select[Any]:
    """The day list's statement: the bookings starting in the window (`window_start`,
    `window_end`) with their request, surgeon's name, people and units, in start order."""
    surgeon = staff.alias("surgeon")
    return (
        select(
            *_BOOKING_COLUMNS,
            *_REQUEST_COLUMNS,
            surgeon.c.name.label("surgeon_name"),
            *_PEOPLE.c,
            *_UNITS.c,
        )
        .join(surgery_requests, surgery_requests.c.surgery_id == bookings.c.surgery_id)
        .outerjoin(surgeon, surgeon.c.staff_id == surgery_requests.c.surgeon_id)
        .outerjoin(_PEOPLE, true())
        .outerjoin(_UNITS, true())
        .where(
            bookings.c.starts_at >= bindparam("window_start"),
            bookings.c.starts_at < bindparam("window_end"),
        )
        .order_by(bookings.c.starts_at, bookings.c.room_id, bookings.c.surgery_id)
    )


_LISTED = _listed()
# Where a row of `_LISTED` holds the room's id, and the first of the people's three arrays
# (ids, roles, names) and of the units' (ids, types, labels).
_ROOM_ID = _LISTED.selected_columns.keys().index("room_id")
_PEOPLE_AT = _LISTED.selected_columns.keys().index("people_ids")
_UNITS_AT = _LISTED.selected_columns.keys().index("unit_ids")
