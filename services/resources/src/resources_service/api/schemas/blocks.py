"""Blocks: what a client sends to allocate or change one, and what it reads back."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Self

from contracts.events.resources_blocks import (
    Recurrence,
    SingleDate,
    WeeklyRecurrence,
    ensure_block_shape,
)
from contracts.values import FIRST_YEAR, LAST_YEAR, ClockTime, Note, ScheduleDate
from contracts.vocabulary import Specialty
from pydantic import BaseModel, ConfigDict, Field, model_validator

from resources_service import commands
from resources_service.api.schemas.common import Record
from resources_service.domain.block_rules import recurrence_of


class BlockCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    room_id: uuid.UUID
    surgeon_id: uuid.UUID | None = Field(
        default=None, description="A staff member in service with the surgeon role."
    )
    service: Specialty | None = Field(
        default=None, description="A specialty; give exactly one of surgeon_id or service."
    )
    recurrence: Recurrence
    start_time: ClockTime = Field(description="Local to the hospital's time zone.")
    end_time: ClockTime = Field(description="Local; after start_time; 24:00 ends the day.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ensure_block_shape(self.surgeon_id, self.service, self.start_time, self.end_time)
        for day in _dates_of(self.recurrence):
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise ValueError(f"{day} is outside the years {FIRST_YEAR} to {LAST_YEAR}")
        return self

    def command(self) -> commands.BlockState:
        return commands.BlockState(
            room_id=self.room_id,
            surgeon_id=self.surgeon_id,
            service=self.service,
            recurrence=self.recurrence,
            start_time=self.start_time,
            end_time=self.end_time,
        )


def _dates_of(recurrence: WeeklyRecurrence | SingleDate) -> list[dt.date]:
    if isinstance(recurrence, SingleDate):
        return [recurrence.date]
    return [d for d in (recurrence.valid_from, recurrence.valid_to) if d is not None]


class BlockUpdate(BlockCreate):
    """The whole editable state of a block; its released dates stay as they are."""


class BlockReleaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: ScheduleDate = Field(description="The local date of the occurrence given back.")
    reason: Note | None = None

    def command(self) -> commands.Release:
        return commands.Release(date=self.date, reason=self.reason)


class BlockReleasePublic(BaseModel):
    occurrence_date: dt.date
    released_by: uuid.UUID = Field(description="The user who released it.")
    released_at: dt.datetime
    reason: str | None


class BlockSummary(Record):
    """A block in a list: its released dates without who released them."""

    block_id: uuid.UUID
    room_id: uuid.UUID
    surgeon_id: uuid.UUID | None
    service: str | None
    recurrence: Recurrence
    start_time: str
    end_time: str
    timezone: str = Field(description="The zone start_time and end_time are local to.")
    released_dates: list[dt.date] = Field(description="Occurrences given back, in date order.")

    @classmethod
    def of(cls, row: Any, releases: list[Any], timezone: str) -> Self:
        return cls.model_validate(
            {
                **row._mapping,
                "recurrence": recurrence_of(row),
                "timezone": timezone,
                "released_dates": [r.occurrence_date for r in releases],
                "releases": [
                    BlockReleasePublic.model_validate(r, from_attributes=True) for r in releases
                ],
            }
        )


class BlockPublic(BlockSummary):
    releases: list[BlockReleasePublic] = Field(description="Who released each date, and why.")
