"""What a client sends to move a case along its lifecycle."""

from __future__ import annotations

from typing import Annotated

from contracts.events.scheduling_surgeries import ReasonCode
from contracts.values import Note, ScheduleDatetime
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from scheduling_service.domain import reasons

KnownReasonCode = Annotated[
    ReasonCode,
    AfterValidator(reasons.ensure_known),
    WithJsonSchema({"type": "string", "enum": list(reasons.REASON_CODES)}),
]


class RoomTime(BaseModel):
    """When the case came into or left the room; now when not given."""

    model_config = ConfigDict(extra="forbid")

    at: ScheduleDatetime | None = Field(
        default=None, description="The moment, with its offset; the time of the call if absent."
    )


class CaseStop(BaseModel):
    """Why a case is postponed or cancelled."""

    model_config = ConfigDict(extra="forbid")

    reason_code: KnownReasonCode
    reason: Note | None = Field(default=None, description="Free text; no clinical details.")
