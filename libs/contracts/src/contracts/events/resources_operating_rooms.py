"""Events of `resources.operating-rooms.v1`: full snapshots of operating rooms.

The topic is compacted by entity id, so the last message of an entity must describe it whole:
on retirement the resources service publishes `OperatingRoomRetired` and then the final
snapshot, with `retired_at` set, in the same transaction.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from contracts.envelope import Event
from contracts.topics import RESOURCES_OPERATING_ROOMS
from contracts.values import Distinct, Name, Note, TimeWindow, TimeZoneName, Version, WeeklyHours
from contracts.vocabulary import Capability

RoomCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,19}$"),
    Field(examples=["OR-1"]),
]


class RoomStatus(StrEnum):
    ACTIVE = "active"
    MAINTENANCE = "maintenance"
    RETIRED = "retired"


class HoursExceptionKind(StrEnum):
    CLOSURE = "closure"
    EXTENDED_HOURS = "extended_hours"
    MAINTENANCE = "maintenance"


class RoomHoursException(TimeWindow):
    """A dated change to the weekly hours: closed, open longer, or under maintenance."""

    kind: HoursExceptionKind
    note: Note | None = None


class OperatingRoomUpserted(Event):
    """The whole current state of a room; the latest snapshot replaces every earlier one."""

    topic = RESOURCES_OPERATING_ROOMS
    key_field = "room_id"

    room_id: uuid.UUID
    code: RoomCode
    name: Name
    location: Name | None = None
    capabilities: Distinct[Capability] = Field(default=(), max_length=50)
    status: RoomStatus = RoomStatus.ACTIVE
    weekly_hours: WeeklyHours = Field(description="Regular opening hours, local to `timezone`.")
    exceptions: tuple[RoomHoursException, ...] = Field(default=(), max_length=1000)
    timezone: TimeZoneName
    version: Version
    retired_at: AwareDatetime | None = Field(
        default=None,
        description="Set once the room is retired; the snapshot stays as its last word on a "
        "compacted topic.",
    )


class OperatingRoomRetired(Event):
    """The room is out of service for good; it takes no more bookings."""

    topic = RESOURCES_OPERATING_ROOMS
    key_field = "room_id"

    room_id: uuid.UUID
    retired_at: AwareDatetime
    version: Version


EVENTS: tuple[type[Event], ...] = (OperatingRoomUpserted, OperatingRoomRetired)
