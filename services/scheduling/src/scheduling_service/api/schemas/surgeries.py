"""Surgery requests and their bookings: what a client sends and what it reads back."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Self

from contracts.events.scheduling_surgeries import (
    AnaesthesiaType,
    Booking,
    Mrn,
    Procedure,
    ReasonCode,
    SurgeryStatus,
)
from contracts.values import (
    DistinctRequest,
    Minutes,
    Note,
    PositiveMinutes,
    ScheduleDate,
    ensure_due_on_or_after_earliest,
)
from contracts.vocabulary import (
    Capability,
    EquipmentType,
    Specialty,
    StaffRequirement,
    StaffRequirements,
    SurgeryPriority,
)
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import Row

from scheduling_service.cases.case_request import CaseRequest

# The contract's `Booking.staff` holds at most 30 people, the surgeon among them: a case needing
# more besides the surgeon could never be booked.
MOST_PEOPLE_BESIDES_SURGEON = 29


class SurgeryFields(BaseModel):
    """What a surgery request says about the case; the waiting list sorts and filters on it."""

    model_config = ConfigDict(extra="forbid")

    patient_mrn: Mrn
    procedure: Procedure
    surgeon_id: uuid.UUID = Field(description="The operating surgeon: a staff member.")
    specialty: Specialty
    expected_duration_minutes: PositiveMinutes = Field(le=24 * 60)
    setup_minutes: Minutes = Field(default=0, le=24 * 60)
    cleanup_minutes: Minutes = Field(default=0, le=24 * 60)
    priority: SurgeryPriority
    earliest_date: ScheduleDate | None = None
    due_date: ScheduleDate | None = None
    required_capabilities: DistinctRequest[Capability] = Field(default=(), max_length=50)
    equipment_types: DistinctRequest[EquipmentType] = Field(default=(), max_length=30)
    anaesthesia_type: AnaesthesiaType
    staff_roles_needed: StaffRequirements = Field(
        default=(),
        description=(
            f"The people needed besides the surgeon: at most {MOST_PEOPLE_BESIDES_SURGEON} in "
            "all, as many as one booking holds."
        ),
    )
    notes: Note | None = Field(default=None, description="No clinical details beyond need.")

    @field_validator("staff_roles_needed")
    @classmethod
    def _fits_one_booking(
        cls, needed: tuple[StaffRequirement, ...]
    ) -> tuple[StaffRequirement, ...]:
        total = sum(r.count for r in needed)
        if total > MOST_PEOPLE_BESIDES_SURGEON:
            raise ValueError(
                f"staff_roles_needed asks for {total} people; a booking holds at most "
                f"{MOST_PEOPLE_BESIDES_SURGEON} besides the surgeon"
            )
        return needed

    @model_validator(mode="after")
    def _due_after_earliest(self) -> Self:
        ensure_due_on_or_after_earliest(self.earliest_date, self.due_date)
        return self

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
