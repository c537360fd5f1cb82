"""Events of `scheduling.surgeries.v1`: surgery requests and the lifecycle of their bookings.

Patient data is the MRN only: the schedule needs no more.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from contracts.envelope import Event
from contracts.topics import SCHEDULING_SURGERIES
from contracts.values import (
    Distinct,
    Minutes,
    Name,
    Note,
    PositiveMinutes,
    Term,
    Value,
    ensure_due_on_or_after_earliest,
    ensure_end_after_start,
)
from contracts.vocabulary import (
    Capability,
    EquipmentType,
    Specialty,
    StaffRequirements,
    StaffRole,
    SurgeryPriority,
)

Mrn = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9-]{1,32}$"),
    Field(description="The patient's medical record number.", examples=["MRN-0012345"]),
]
ReasonCode = Annotated[
    Term,
    Field(
        description="Known codes: patient_unfit, patient_request, patient_did_not_attend, "
        "no_bed, no_staff, equipment_unavailable, list_overrun, emergency_displaced, "
        "administrative, other.",
        examples=["no_bed"],
    ),
]


class AnaesthesiaType(StrEnum):
    GENERAL = "general"
    REGIONAL = "regional"
    LOCAL = "local"
    SEDATION = "sedation"


class SurgeryStatus(StrEnum):
    REQUESTED = "requested"
    SCHEDULED = "scheduled"
    CONFIRMED = "confirmed"
    IN_ROOM = "in_room"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"


class Procedure(Value):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,31}$")]
    name: Name
    coding_system: Term | None = Field(default=None, examples=["opcs4", "icd10pcs", "snomed_ct"])


class StaffAssignment(Value):
    staff_id: uuid.UUID
    role: StaffRole


class Booking(Value):
    """A case placed in a room: `start`-`end` is the surgery itself (wheels in to wheels out).

    The room is taken from `start - setup_minutes` until `end + cleanup_minutes`.
    """

    room_id: uuid.UUID
    start: AwareDatetime
    end: AwareDatetime
    setup_minutes: Minutes = 0
    cleanup_minutes: Minutes = 0
    staff: tuple[StaffAssignment, ...] = Field(default=(), max_length=30)
    equipment_unit_ids: Distinct[uuid.UUID] = Field(default=(), max_length=30)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ensure_end_after_start(self.start, self.end)
        staff_ids = [a.staff_id for a in self.staff]
        if len(set(staff_ids)) != len(staff_ids):
            raise ValueError("a staff member is assigned more than once")
        return self

    @property
    def room_taken_from(self) -> datetime:
        return self.start - timedelta(minutes=self.setup_minutes)

    @property
    def room_taken_until(self) -> datetime:
        return self.end + timedelta(minutes=self.cleanup_minutes)


class _SurgeryRequest(Event):
    """The fields of a surgery request, which a request and its correction both carry whole."""

    topic = SCHEDULING_SURGERIES
    key_field = "surgery_id"

    surgery_id: uuid.UUID
    patient_mrn: Mrn
    procedure: Procedure
    surgeon_id: uuid.UUID
    specialty: Specialty
    expected_duration_minutes: PositiveMinutes
    setup_minutes: Minutes = 0
    cleanup_minutes: Minutes = 0
    priority: SurgeryPriority
    earliest_date: date | None = None
    due_date: date | None = None
    required_capabilities: Distinct[Capability] = ()
    equipment_types: Distinct[EquipmentType] = ()
    anaesthesia_type: AnaesthesiaType
    staff_roles_needed: StaffRequirements = ()
    requested_by: uuid.UUID = Field(description="The user who created the request.")

    @model_validator(mode="after")
    def _due_after_earliest(self) -> Self:
        ensure_due_on_or_after_earliest(self.earliest_date, self.due_date)
        return self


class SurgeryRequested(_SurgeryRequest):
    """A case joined the waiting list.

    `surgeon_id` is the staff id of the operating surgeon; `staff_roles_needed` are the others.
    """


class SurgeryRequestChanged(_SurgeryRequest):
    """A waiting case's request was corrected: the whole request as it is now.

    Only a case on the waiting list (requested or postponed) is corrected; a booked case keeps
    the request it was booked for.
    """

    changed_by: uuid.UUID = Field(description="The user who corrected the request.")


class SurgeryScheduled(Event):
    """A waiting case got its first booking."""

    topic = SCHEDULING_SURGERIES
    key_field = "surgery_id"

    surgery_id: uuid.UUID
    booking: Booking
    scheduled_by: uuid.UUID | None = Field(default=None, description="The user who booked it.")
    run_id: uuid.UUID | None = Field(
        default=None, description="The optimization run whose proposal placed it, if any."
    )


class SurgeryRescheduled(Event):
    """A booked case moved: another room, time, staff or equipment."""

    topic = SCHEDULING_SURGERIES
    key_field = "surgery_id"

    surgery_id: uuid.UUID
    previous_booking: Booking
    new_booking: Booking
    rescheduled_by: uuid.UUID | None = None
    run_id: uuid.UUID | None = None
    reason_code: ReasonCode | None = None


class SurgeryCancelled(Event):
    """The case will not take place; its booking, if any, is freed."""

    topic = SCHEDULING_SURGERIES
    key_field = "surgery_id"

    surgery_id: uuid.UUID
    reason_code: ReasonCode
    reason: Note | None = Field(default=None, description="Free text; no clinical details.")
    cancelled_by: uuid.UUID
    cancelled_at: AwareDatetime


class SurgeryStatusChanged(Event):
    """The case moved along its lifecycle, e.g. into the room or completed."""

    topic = SCHEDULING_SURGERIES
    key_field = "surgery_id"

    surgery_id: uuid.UUID
    from_status: SurgeryStatus
    to_status: SurgeryStatus
    reason_code: ReasonCode | None = None
    wheels_in: AwareDatetime | None = None
    wheels_out: AwareDatetime | None = None
    changed_by: uuid.UUID | None = None
    changed_at: AwareDatetime

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.from_status == self.to_status:
            raise ValueError(f"from_status and to_status are both {self.to_status}")
        if self.wheels_in and self.wheels_out and self.wheels_out <= self.wheels_in:
            raise ValueError("wheels_out must be after wheels_in")
        return self


EVENTS: tuple[type[Event], ...] = (
    SurgeryRequested,
    SurgeryScheduled,
    SurgeryRescheduled,
    SurgeryCancelled,
    SurgeryStatusChanged,
    SurgeryRequestChanged,
)
