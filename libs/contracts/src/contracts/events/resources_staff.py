"""Events of `resources.staff.v1`: full snapshots of staff members.

The topic is compacted by entity id, so the last message of an entity must describe it whole:
on retirement the resources service publishes `StaffMemberRetired` and then the final
snapshot, with `retired_at` set, in the same transaction.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field

from contracts.envelope import Event
from contracts.topics import RESOURCES_STAFF
from contracts.values import (
    Distinct,
    Name,
    PositiveMinutes,
    Term,
    TimeWindow,
    TimeZoneName,
    Version,
    WeeklyHours,
)
from contracts.vocabulary import Specialty, StaffRole

Skill = Annotated[
    Term, Field(description="A skill or certification.", examples=["robotic_console", "ecmo"])
]


class StaffStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class StaffMemberUpserted(Event):
    """The whole current state of a staff member; the latest snapshot replaces earlier ones.

    Absences carry no reason: the schedule needs to know when, not why.
    """

    topic = RESOURCES_STAFF
    key_field = "staff_id"

    staff_id: uuid.UUID
    name: Name
    role: StaffRole
    specialties: Distinct[Specialty] = Field(default=(), max_length=50)
    skills: Distinct[Skill] = Field(default=(), max_length=100)
    working_pattern: WeeklyHours = Field(description="Regular working hours, local to `timezone`.")
    timezone: TimeZoneName
    absences: tuple[TimeWindow, ...] = Field(default=(), max_length=1000)
    max_minutes_per_day: PositiveMinutes | None = None
    user_id: uuid.UUID | None = Field(default=None, description="The user account, if any.")
    status: StaffStatus = StaffStatus.ACTIVE
    version: Version
    retired_at: AwareDatetime | None = Field(
        default=None,
        description="Set once the staff member is retired; the snapshot stays as its last word "
        "on a compacted topic.",
    )


class StaffMemberRetired(Event):
    """The staff member left; they take no more assignments."""

    topic = RESOURCES_STAFF
    key_field = "staff_id"

    staff_id: uuid.UUID
    retired_at: AwareDatetime
    version: Version


EVENTS: tuple[type[Event], ...] = (StaffMemberUpserted, StaffMemberRetired)
