"""A case's history as a client reads it: one line per move of its lifecycle."""

from __future__ import annotations

import uuid
from datetime import datetime

from contracts.events.scheduling_surgeries import Booking, ReasonCode, SurgeryStatus
from pydantic import BaseModel, Field

from scheduling_service.api.schemas.surgeries import BookingPublic
from scheduling_service.views.case_history import Line


class CaseHistoryLine(BaseModel):
    """One move: from what to what, why, by whom, when, and the booking the case had then."""

    entry_id: int = Field(description="Grows with every line written; the order of the lines.")
    from_status: SurgeryStatus | None = Field(description="None for the request itself.")
    to_status: SurgeryStatus
    reason_code: ReasonCode | None = None
    reason: str | None = None
    booking: BookingPublic | None = Field(
        default=None, description="The booking the case had (or took) at that moment."
    )
    changed_by: uuid.UUID | None = Field(description="The user who acted; None for the system.")
    changed_by_name: str = Field(
        description='Their staff name, else "unknown user <id>"; "system" when no user acted.'
    )
    run_id: uuid.UUID | None = Field(
        default=None, description="The optimizer run whose proposal made this move, if any."
    )
    changed_at: datetime

    @classmethod
    def of(cls, line: Line) -> CaseHistoryLine:
        row = line.row
        booking = Booking.model_validate(row.booking) if row.booking is not None else None
        return cls(
            entry_id=row.entry_id,
            from_status=row.from_status,
            to_status=row.to_status,
            reason_code=row.reason_code,
            reason=row.reason,
            booking=BookingPublic.of(booking) if booking is not None else None,
            changed_by=row.changed_by,
            changed_by_name=line.changed_by_name,
            run_id=row.run_id,
            changed_at=row.changed_at,
        )


class CaseHistory(BaseModel):
    surgery_id: uuid.UUID
    items: list[CaseHistoryLine] = Field(description="Oldest first.")
