"""Surgery requests and their bookings: what a client sends and what it reads back."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from contracts.events.scheduling_surgeries import (
    Booking,
    Mrn,
    Procedure,
    ReasonCode,
    SurgeryStatus,
)
from contracts.events.surgery_request import MOST_PEOPLE_BESIDES_SURGEON, SurgeryRequestFields
from contracts.values import Note
from contracts.vocabulary import StaffRequirement
from pydantic import ConfigDict, Field
from sqlalchemy import Row

from scheduling_service.cases.case_request import CaseRequest

__all__ = ["MOST_PEOPLE_BESIDES_SURGEON", "SurgeryCreate", "SurgeryPublic", "SurgeryUpdate"]


class SurgeryFields(SurgeryRequestFields):
    """What a surgery request says about the case; the waiting list sorts and filters on it.

    The fields and their rules are the contract's (`contracts.events.surgery_request`), shared with
    interop's FHIR orders; this adds only the conversion to the application's command."""

    def command(self) -> CaseRequest:
        """What the use cases take: the request as the application's own command."""
        return CaseRequest.of(self)


class SurgeryCreate(SurgeryFields):
    pass


class SurgeryUpdate(SurgeryFields):
    """The whole request as corrected; only a case on the waiting list is corrected."""


class BookingPublic(Booking):
    """The booking as the contract says it, with the span the room is held for."""

    room_held_from: datetime = Field(description="The start, less the setup minutes.")
    room_held_until: datetime = Field(description="The end, plus the cleanup minutes.")

    @classmethod
    def of(cls, booking: Booking) -> BookingPublic:
        return cls(
            **dict(booking),
            room_held_from=booking.room_taken_from,
            room_held_until=booking.room_taken_until,
        )


class SurgeryPublic(SurgeryFields):
    model_config = ConfigDict(extra="ignore")

    # A case read back may hide its patient (None) where a request must name one: pydantic
    # allows the narrower field's override, mypy does not.
    patient_mrn: Mrn | None = Field(  # type: ignore[assignment]
        description="The patient's medical record number; null when your roles do not show "
        "this case's patient (a viewer, or a clinician not on the case)."
    )
    notes: Note | None = Field(
        default=None, description="Null too when the patient is not shown: free text may name them."
    )
    surgery_id: uuid.UUID
    status: SurgeryStatus
    reason_code: ReasonCode | None = None
    reason: str | None = None
    wheels_in: datetime | None = None
    wheels_out: datetime | None = None
    requested_by: uuid.UUID
    created_at: datetime
    updated_at: datetime
    version: int
    booking: BookingPublic | None = None

    @classmethod
    def of(
        cls, row: Row[Any], booking: Booking | None, *, patient_shown: bool = True
    ) -> SurgeryPublic:
        """The public view of a `surgery_requests` row and its current booking, without the
        patient's identifiers unless `patient_shown`."""
        values = dict(row._mapping)
        if not patient_shown:
            values |= {"patient_mrn": None, "notes": None}
        values["procedure"] = Procedure(
            code=values.pop("procedure_code"),
            name=values.pop("procedure_name"),
            coding_system=values.pop("procedure_coding_system"),
        )
        values["staff_roles_needed"] = tuple(
            StaffRequirement.model_validate(r) for r in values["staff_roles_needed"]
        )
        values["booking"] = BookingPublic.of(booking) if booking is not None else None
        return cls.model_validate(values)
