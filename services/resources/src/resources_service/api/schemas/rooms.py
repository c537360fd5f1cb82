"""Operating rooms: what a client sends and what it reads back."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from contracts.events.resources_operating_rooms import HoursExceptionKind, RoomCode
from contracts.values import DistinctRequest, Name, WeeklyHours
from contracts.vocabulary import Capability
from pydantic import BaseModel, ConfigDict, Field

from resources_service import commands
from resources_service.api.schemas.common import Record, WindowCreate, WindowPublic


class RoomCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: RoomCode
    name: Name
    location: Name | None = None
    capabilities: DistinctRequest[Capability] = Field(
        default=(),
        max_length=50,
        description="Each must be one of the hospital's configured capabilities.",
    )
    status: Literal["active", "maintenance"] = "active"
    weekly_hours: WeeklyHours = Field(description="Local to the hospital's time zone.")

    def command(self) -> commands.RoomState:
        return commands.RoomState(
            code=self.code,
            name=self.name,
            location=self.location,
            capabilities=self.capabilities,
            status=self.status,
            weekly_hours=self.weekly_hours,
        )


class RoomUpdate(RoomCreate):
    """The whole editable state of a room; dated exceptions change through their own path."""


class RoomExceptionCreate(WindowCreate):
    kind: HoursExceptionKind

    def command(self) -> commands.RoomException:
        return commands.RoomException(
            kind=self.kind, start=self.start, end=self.end, note=self.note
        )


class RoomExceptionPublic(WindowPublic):
    kind: HoursExceptionKind


class RoomPublic(Record):
    room_id: uuid.UUID
    code: str
    name: str
    location: str | None
    capabilities: list[str]
    status: Literal["active", "maintenance", "retired"]
    weekly_hours: WeeklyHours
    timezone: str
    exceptions: list[RoomExceptionPublic]

    @classmethod
    def of(cls, row: Any, exceptions: list[Any], timezone: str) -> RoomPublic:
        return cls.model_validate(
            {
                **row._mapping,
                "timezone": timezone,
                "exceptions": [
                    RoomExceptionPublic.of(e, "exception_id", kind=e.kind) for e in exceptions
                ],
            }
        )


class RoomSummary(Record):
    """A room in a list: without its dated exceptions."""

    room_id: uuid.UUID
    code: str
    name: str
    location: str | None
    capabilities: list[str]
    status: str
    weekly_hours: WeeklyHours
