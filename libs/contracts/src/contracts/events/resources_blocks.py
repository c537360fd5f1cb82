"""Events of `resources.blocks.v1`: operating room time allocated to a surgeon or a service.

The topic is compacted by `block_id`, so the last message of a block must describe it whole:
the resources service publishes `BlockReleased` and then the updated `BlockAllocated` snapshot
(with the date in `released_dates`) in the same transaction.
A withdrawn allocation is a last `BlockAllocated` with `retired_at` set.
"""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import date
from typing import Annotated, Any, Literal, Self

from pydantic import AwareDatetime, ConfigDict, Field, model_validator

from contracts.envelope import Event
from contracts.topics import RESOURCES_BLOCKS
from contracts.values import ClockTime, Distinct, Value, Version, Weekday
from contracts.vocabulary import Specialty


def _kind_required(schema: dict[str, Any]) -> None:
    # `kind` has a default for Python callers, but the wire format always carries it.
    schema["required"] = ["kind", *schema.get("required", [])]


class WeeklyRecurrence(Value):
    """The block repeats on these weekdays from `valid_from` until `valid_to` (inclusive)."""

    model_config = ConfigDict(json_schema_extra=_kind_required)

    kind: Literal["weekly"] = "weekly"
    weekdays: Distinct[Weekday] = Field(min_length=1)
    valid_from: date
    valid_to: date | None = None

    @model_validator(mode="after")
    def _valid_to_after_from(self) -> Self:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        return self

    def occurs_on(self, day: date) -> bool:
        in_range = self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
        return in_range and Weekday.of(day) in self.weekdays


class SingleDate(Value):
    """The block happens once, on `date`."""

    model_config = ConfigDict(json_schema_extra=_kind_required)

    kind: Literal["date"] = "date"
    # `dt.date`: inside this class the bare name is the field.
    date: dt.date

    def occurs_on(self, day: dt.date) -> bool:
        return day == self.date


Recurrence = Annotated[WeeklyRecurrence | SingleDate, Field(discriminator="kind")]


def ensure_block_shape(
    surgeon_id: uuid.UUID | None, service: Specialty | None, start_time: str, end_time: str
) -> None:
    """A block belongs to exactly one surgeon or service, and ends after it starts; a
    `ValueError` (pydantic's 422 in a validator) otherwise. The event and the API's bodies
    share it."""
    if (surgeon_id is None) == (service is None):
        raise ValueError("a block belongs to exactly one of surgeon_id or service")
    if end_time <= start_time:
        raise ValueError(f"end_time {end_time} must be after start_time {start_time}")


class BlockAllocated(Event):
    """The whole current state of a block: whose it is, when it recurs, which dates were released.

    Times are local to the room's time zone.
    """

    topic = RESOURCES_BLOCKS
    key_field = "block_id"

    block_id: uuid.UUID
    room_id: uuid.UUID
    surgeon_id: uuid.UUID | None = Field(default=None, description="Set for a surgeon's block.")
    service: Specialty | None = Field(default=None, description="Set for a service's block.")
    recurrence: Recurrence
    start_time: ClockTime
    end_time: ClockTime
    released_dates: Distinct[date] = Field(default=(), max_length=1000)
    version: Version
    retired_at: AwareDatetime | None = Field(
        default=None,
        description="Set once the block is retired; the snapshot stays as its last word on a "
        "compacted topic.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ensure_block_shape(self.surgeon_id, self.service, self.start_time, self.end_time)
        return self

    def occurs_on(self, day: date) -> bool:
        """Whether the block holds the room on `day` (released dates excluded)."""
        return self.recurrence.occurs_on(day) and day not in self.released_dates


class BlockReleased(Event):
    """One occurrence of a block was given back; its time is open to every surgeon."""

    topic = RESOURCES_BLOCKS
    key_field = "block_id"

    block_id: uuid.UUID
    occurrence_date: date
    released_by: uuid.UUID = Field(description="The user who released it.")
    released_at: AwareDatetime
    version: Version


EVENTS: tuple[type[Event], ...] = (BlockAllocated, BlockReleased)
