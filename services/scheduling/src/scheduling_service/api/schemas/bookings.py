"""A booking as a client asks for it, and the conflicts a refusal or a dry run names."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal, Self

from contracts.events.scheduling_surgeries import StaffAssignment
from contracts.values import ScheduleDatetime, repeated_ids
from pydantic import BaseModel, ConfigDict, Field, model_validator

from scheduling_service.api.schemas.case_moves import KnownReasonCode
from scheduling_service.domain.booking.booking_facts import MOST_STAFF, Placement
from scheduling_service.domain.booking.conflict import Conflict


class BookingRequest(BaseModel):
    """Where the case goes: a room, the start of the surgery, the people besides the surgeon
    (who comes with the case) and one equipment unit per equipment type the case needs."""

    model_config = ConfigDict(extra="forbid")

    room_id: uuid.UUID
    start: ScheduleDatetime = Field(
        description="Wheels in, with its offset; the room is held from `start` less setup."
    )
    staff: tuple[StaffAssignment, ...] = Field(
        default=(),
        max_length=MOST_STAFF,
        description=(
            "Everyone besides the case's surgeon, each with the role they fill (listing the "
            f"surgeon too is accepted): at most {MOST_STAFF} people, with the surgeon, in a "
            "booking."
        ),
    )
    equipment_unit_ids: tuple[uuid.UUID, ...] = Field(default=(), max_length=30)
    reason_code: KnownReasonCode | None = Field(
        default=None, description="Why a booked case moves; kept in its history."
    )

    @model_validator(mode="after")
    def _no_repeats(self) -> Self:
        problems = repeated_ids([a.staff_id for a in self.staff], "staff member")
        problems += repeated_ids(self.equipment_unit_ids, "equipment unit")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def placement(self) -> Placement:
        return Placement(
            room_id=self.room_id,
            start=self.start,
            staff=self.staff,
            equipment_unit_ids=self.equipment_unit_ids,
        )


class ConflictInterval(BaseModel):
    """The span a conflict is about: `start` inclusive, `end` exclusive."""

    start: datetime
    end: datetime


class ConflictPublic(BaseModel):
    """One reason a booking cannot be made."""

    code: str = Field(examples=["room_double_booked", "room_closed", "staff_unavailable"])
    message: str
    resource_type: Literal["room", "staff", "unit", "case"]
    resource_id: uuid.UUID | None
    interval: ConflictInterval | None = Field(description="The interval in the way, if one is.")
    other_surgery_id: uuid.UUID | None = Field(description="The case holding it, if one does.")
    surgery_id: uuid.UUID | None = Field(default=None, description="The case the conflict is of.")

    @classmethod
    def of(cls, conflict: Conflict, surgery_id: uuid.UUID) -> ConflictPublic:
        return cls.model_validate({**conflict.as_json(), "surgery_id": surgery_id})


class BookingCheck(BaseModel):
    """The dry run's answer: whether the booking would be made, and what is in its way."""

    fits: bool
    conflicts: list[ConflictPublic]
