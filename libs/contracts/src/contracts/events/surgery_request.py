"""What a surgery request says about its case, and the rules it keeps, wherever it comes from
(no topic of its own: the events that carry a request build on it).

One model for every door a case comes in by: scheduling's `POST /surgeries` (and its
correction) and interop's FHIR `ServiceRequest` orders, which travel to scheduling as
`ServiceRequestPlaced`. A rule written here holds at both doors. Rules that need state (the
surgeon is a known, active surgeon the requester may ask for) are written here too, over the
staff snapshot each service keeps in its read model (`surgeon_refusal`, `may_request_for`).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from contracts.events.resources_staff import StaffMemberUpserted, StaffStatus
from contracts.events.scheduling_surgeries import AnaesthesiaType, Mrn, Procedure
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
    StaffRole,
    SurgeryPriority,
)

# The contract's `Booking.staff` holds at most 30 people, the surgeon among them: a case needing
# more besides the surgeon could never be booked.
MOST_PEOPLE_BESIDES_SURGEON = 29
# Roles that keep the waiting list for everyone; a surgeon alone requests only their own cases.
PLANNING_ROLES = frozenset({"admin", "coordinator"})


class SurgeryRequestFields(BaseModel):
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


def surgeon_refusal(surgeon_id: uuid.UUID, member: StaffMemberUpserted | None) -> str | None:
    """Why `member` (the read model's snapshot of `surgeon_id`) cannot operate; None if it can."""
    if member is None:
        return f"surgeon_id {surgeon_id} is not a staff member this service knows."
    who = f"surgeon_id {surgeon_id} ({member.name})"
    if member.role != StaffRole.SURGEON:
        return f"{who} has the role {member.role.value}, not surgeon."
    if member.retired_at is not None:
        return f"{who} is retired."
    if member.status != StaffStatus.ACTIVE:
        return f"{who} is {member.status.value}, not active."
    return None


def may_request_for(
    member: StaffMemberUpserted | None, *, user_id: str, roles: Collection[str]
) -> bool:
    """A planner requests for any surgeon; anyone else only for the surgeon who is themselves."""
    if PLANNING_ROLES & set(roles):
        return True
    return member is not None and member.user_id is not None and str(member.user_id) == user_id
