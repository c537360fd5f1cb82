"""What a caller asks the resources service to store: the application's own command types.

The API's request schemas validate what a client sends and convert to these (`.command()`),
the demo seed builds them from its data; so a change to an API shape stops at the routes.
Each write's audit record carries its command as JSON (`details_of`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contracts.events.resources_blocks import Recurrence
from contracts.events.resources_operating_rooms import HoursExceptionKind
from contracts.values import Weekday, WeeklyHours
from contracts.vocabulary import StaffRole
from pydantic import TypeAdapter


@dataclass(frozen=True, slots=True)
class RoomState:
    """The whole editable state of an operating room; its dated exceptions change apart."""

    code: str
    name: str
    weekly_hours: WeeklyHours
    location: str | None = None
    capabilities: tuple[str, ...] = ()
    status: str = "active"


@dataclass(frozen=True, slots=True)
class RoomException:
    kind: HoursExceptionKind
    start: dt.datetime
    end: dt.datetime
    note: str | None = None


@dataclass(frozen=True, slots=True)
class StaffState:
    """The whole editable state of a staff member; their absences change apart."""

    name: str
    role: StaffRole
    working_pattern: WeeklyHours
    specialties: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    max_minutes_per_day: int | None = None
    # Part days and on-call days: each in place of `max_minutes_per_day` where set.
    max_minutes_by_weekday: Mapping[Weekday, int] = field(default_factory=dict)
    max_minutes_by_date: Mapping[dt.date, int] = field(default_factory=dict)
    user_id: uuid.UUID | None = None
    status: str = "active"


@dataclass(frozen=True, slots=True)
class Absence:
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True, slots=True)
class NewUnit:
    label: str
    serial_number: str | None = None
    fixed_room_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class UnitState(NewUnit):
    """The whole editable state of a unit; it retires through its own path."""

    status: str = "available"


@dataclass(frozen=True, slots=True)
class NewEquipment:
    name: str
    equipment_type: str
    mobile: bool
    turnaround_minutes: int = 0
    units: tuple[NewUnit, ...] = ()  # in the order they are listed


@dataclass(frozen=True, slots=True)
class EquipmentState:
    """The equipment's own fields; `unit_rooms` installs units of equipment becoming fixed."""

    name: str
    equipment_type: str
    mobile: bool
    turnaround_minutes: int = 0
    unit_rooms: Mapping[uuid.UUID, uuid.UUID] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Maintenance:
    start: dt.datetime
    end: dt.datetime
    note: str | None = None


@dataclass(frozen=True, slots=True)
class BlockState:
    """The whole editable state of a block: exactly one of `surgeon_id` or `service`."""

    room_id: uuid.UUID
    recurrence: Recurrence
    start_time: str
    end_time: str
    surgeon_id: uuid.UUID | None = None
    service: str | None = None


@dataclass(frozen=True, slots=True)
class Release:
    date: dt.date
    reason: str | None = None


def details_of(command: object) -> dict[str, Any]:
    """The command as the JSON an audit record keeps of it."""
    details: dict[str, Any] = TypeAdapter(type(command)).dump_python(command, mode="json")
    return details
