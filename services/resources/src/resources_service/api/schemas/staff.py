"""Staff members: what a client sends and what it reads back."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from contracts.events.resources_staff import MaxMinutesByDate, MaxMinutesByWeekday, Skill
from contracts.values import (
    DistinctRequest,
    Name,
    PositiveMinutes,
    ScheduleDatetime,
    TimeWindow,
    UtcDatetime,
    WeeklyHours,
)
from contracts.vocabulary import Specialty, StaffRole
from pydantic import BaseModel, ConfigDict, Field

from resources_service import commands
from resources_service.api.schemas.common import Record


class StaffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    role: StaffRole
    specialties: DistinctRequest[Specialty] = Field(default=(), max_length=50)
    skills: DistinctRequest[Skill] = Field(default=(), max_length=100)
    working_pattern: WeeklyHours = Field(
        description="Regular working hours, local to the hospital's time zone."
    )
    max_minutes_per_day: PositiveMinutes | None = Field(
        default=None, description="The most minutes of cases a day, if less than the pattern."
    )
    max_minutes_by_weekday: MaxMinutesByWeekday = Field(default_factory=dict)
    max_minutes_by_date: MaxMinutesByDate = Field(default_factory=dict)
    user_id: uuid.UUID | None = Field(
        default=None,
        description="The person's user account; at most one staff member in service per user.",
    )
    status: Literal["active", "inactive"] = "active"

    def command(self) -> commands.StaffState:
        return commands.StaffState(
            name=self.name,
            role=self.role,
            specialties=self.specialties,
            skills=self.skills,
            working_pattern=self.working_pattern,
            max_minutes_per_day=self.max_minutes_per_day,
            max_minutes_by_weekday=self.max_minutes_by_weekday,
            max_minutes_by_date=self.max_minutes_by_date,
            user_id=self.user_id,
            status=self.status,
        )


class StaffUpdate(StaffCreate):
    """The whole editable state of a staff member; absences change through their own path."""


class AbsenceCreate(TimeWindow):
    """When the person is away, with an offset (`2027-03-01T07:00:00+01:00`), end exclusive.

    No reason and no note: the schedule needs to know when, not why.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: ScheduleDatetime
    end: ScheduleDatetime

    def command(self) -> commands.Absence:
        return commands.Absence(start=self.start, end=self.end)


class AbsencePublic(BaseModel):
    """A stored absence, answered in UTC."""

    window_id: uuid.UUID
    start: UtcDatetime
    end: UtcDatetime

    @classmethod
    def of(cls, row: Any) -> AbsencePublic:
        return cls(window_id=row.absence_id, start=row.period.lower, end=row.period.upper)


class StaffSummary(Record):
    """A staff member in a list: without their absences."""

    staff_id: uuid.UUID
    name: str
    role: StaffRole
    specialties: list[str]
    skills: list[str]
    working_pattern: WeeklyHours
    max_minutes_per_day: int | None
    max_minutes_by_weekday: MaxMinutesByWeekday
    max_minutes_by_date: MaxMinutesByDate
    user_id: uuid.UUID | None
    status: Literal["active", "inactive"]


class StaffPublic(StaffSummary):
    timezone: str = Field(description="The zone the working pattern is local to.")
    absences: list[AbsencePublic]

    @classmethod
    def of(cls, row: Any, absences: list[Any], timezone: str) -> StaffPublic:
        return cls.model_validate(
            {
                **row._mapping,
                "timezone": timezone,
                "absences": [AbsencePublic.of(a) for a in absences],
            }
        )
