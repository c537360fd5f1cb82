"""Availability over a date range, shaped as the planning contracts want it (UTC windows).

Each item carries the fields of its `contracts.planning` counterpart under the same names
(`PlanningRoom`, `PlanningBlock`, `PlanningStaffMember` with `roles = (role,)`,
`PlanningEquipmentUnit`), plus what a person reading the calendar needs to recognize it.
"""

from __future__ import annotations

import datetime as dt
import uuid

from contracts.calendar.spans import Span
from contracts.values import UtcDatetime, UtcWindow
from contracts.vocabulary import StaffRole
from pydantic import BaseModel, ConfigDict, Field

from resources_service.availability import Available, BlockOccurrence, Calendar, RoomCalendar


class BlockTime(BaseModel):
    """One occurrence of a block (released dates left out); a `PlanningBlock`."""

    block_id: uuid.UUID
    room_id: uuid.UUID
    start: UtcDatetime
    end: UtcDatetime
    surgeon_id: uuid.UUID | None
    service: str | None

    @classmethod
    def of(cls, occurrence: BlockOccurrence) -> BlockTime:
        block = occurrence.block
        return cls(
            block_id=block.block_id,
            room_id=block.room_id,
            start=occurrence.span.start,
            end=occurrence.span.end,
            surgeon_id=block.surgeon_id,
            service=block.service,
        )


class RoomAvailability(BaseModel):
    room_id: uuid.UUID
    code: str
    name: str
    capabilities: list[str]
    status: str = Field(description="A room in maintenance has no open intervals.")
    open_intervals: list[UtcWindow]
    blocks: list[BlockTime]
    open_minutes_by_date: dict[dt.date, int] = Field(
        description="Open minutes per local date; dates without open time are left out."
    )

    @classmethod
    def of(cls, calendar: RoomCalendar) -> RoomAvailability:
        room = calendar.room
        return cls(
            room_id=room.room_id,
            code=room.code,
            name=room.name,
            capabilities=list(room.capabilities),
            status=room.status,
            open_intervals=_windows(calendar.open),
            blocks=[BlockTime.of(o) for o in calendar.blocks],
            open_minutes_by_date=calendar.daily_open_minutes,
        )


class StaffAvailability(BaseModel):
    staff_id: uuid.UUID
    name: str
    role: StaffRole
    specialties: list[str]
    status: str = Field(description="An inactive staff member has no available intervals.")
    max_minutes_per_day: int | None
    available_intervals: list[UtcWindow]

    @classmethod
    def of(cls, person: Available) -> StaffAvailability:
        row = person.row
        return cls(
            staff_id=row.staff_id,
            name=row.name,
            role=row.role,
            specialties=list(row.specialties),
            status=row.status,
            max_minutes_per_day=row.max_minutes_per_day,
            available_intervals=_windows(person.spans),
        )


class UnitAvailability(BaseModel):
    unit_id: uuid.UUID
    equipment_id: uuid.UUID
    equipment_type: str
    label: str
    status: str = Field(description="A unit in maintenance has no available intervals.")
    fixed_room_id: uuid.UUID | None
    turnaround_minutes: int
    available_intervals: list[UtcWindow]

    @classmethod
    def of(cls, unit: Available) -> UnitAvailability:
        row = unit.row
        return cls(
            unit_id=row.unit_id,
            equipment_id=row.equipment_id,
            equipment_type=row.equipment_type,
            label=row.label,
            status=row.status,
            fixed_room_id=row.fixed_room_id,
            turnaround_minutes=row.turnaround_minutes,
            available_intervals=_windows(unit.spans),
        )


class Availability(BaseModel):
    """Rooms, staff and units in service, each with its effective time in the window."""

    model_config = ConfigDict(populate_by_name=True)

    from_: dt.date = Field(alias="from", description="The first local date, included.")
    to: dt.date = Field(description="The last local date, included.")
    timezone: str = Field(description="The hospital's time zone the dates are local to.")
    window: UtcWindow = Field(description="From local midnight of `from` to the end of `to`.")
    rooms: list[RoomAvailability]
    staff: list[StaffAvailability]
    equipment_units: list[UnitAvailability]

    @classmethod
    def of(cls, first: dt.date, last: dt.date, timezone: str, calendar: Calendar) -> Availability:
        return cls(
            from_=first,
            to=last,
            timezone=timezone,
            window=_window(calendar.window),
            rooms=[RoomAvailability.of(r) for r in calendar.rooms],
            staff=[StaffAvailability.of(s) for s in calendar.staff],
            equipment_units=[UnitAvailability.of(u) for u in calendar.units],
        )


def _window(span: Span) -> UtcWindow:
    return UtcWindow(start=span.start, end=span.end)


def _windows(spans: list[Span]) -> list[UtcWindow]:
    return [_window(span) for span in spans]
