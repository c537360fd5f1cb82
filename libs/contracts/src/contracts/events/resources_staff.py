"""Events of `resources.staff.v1`: full snapshots of staff members.

The topic is compacted by entity id, so the last message of an entity must describe it whole:
on retirement the resources service publishes `StaffMemberRetired` and then the final
snapshot, with `retired_at` set, in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, Field

from contracts.envelope import Event
from contracts.topics import RESOURCES_STAFF
from contracts.values import (
    Distinct,
    Name,
    PositiveMinutes,
    ScheduleDate,
    Term,
    TimeWindow,
    TimeZoneName,
    Version,
    Weekday,
    WeeklyHours,
)
from contracts.vocabulary import Specialty, StaffRole

Skill = Annotated[
    Term, Field(description="A skill or certification.", examples=["robotic_console", "ecmo"])
]


# At most this many dated maxima per person, as `windows.MAX_WINDOWS` bounds their absences.
MAX_DATED_MAXIMA = 1000


def _in_order(by_key: Mapping[Any, int]) -> dict[Any, int]:
    # Keys in their natural order (monday before friday, dates ascending): the same maxima always
    # serialize to the same bytes.
    return dict(sorted(by_key.items(), key=lambda item: _order_of(item[0])))


def _at_most_dated_maxima(by_date: Mapping[date, int]) -> Mapping[date, int]:
    if len(by_date) > MAX_DATED_MAXIMA:
        raise ValueError(f"must name at most {MAX_DATED_MAXIMA} dates")
    return by_date


def _order_of(key: Any) -> Any:
    return list(Weekday).index(key) if isinstance(key, Weekday) else key


MaxMinutesByWeekday = Annotated[
    dict[Weekday, PositiveMinutes],
    AfterValidator(_in_order),
    Field(
        description="A daily maximum for some weekdays (part days), in place of "
        "`max_minutes_per_day` on those weekdays.",
        examples=[{"friday": 240}],
    ),
]
MaxMinutesByDate = Annotated[
    dict[ScheduleDate, PositiveMinutes],
    AfterValidator(_at_most_dated_maxima),
    AfterValidator(_in_order),
    Field(
        json_schema_extra={"maxProperties": MAX_DATED_MAXIMA},
        description="A daily maximum on some local dates (an on-call day), in place of the "
        "weekday's or `max_minutes_per_day` on those dates. A day off is an absence.",
        examples=[{"2027-03-05": 120}],
    ),
]


def daily_maximum(
    day: date,
    max_minutes_per_day: int | None,
    by_weekday: Mapping[Weekday, int],
    by_date: Mapping[date, int],
) -> int | None:
    """The most minutes of cases a person works on a local date: that date's own maximum, else
    its weekday's, else the one of every day (`None`: no maximum but their working time)."""
    if day in by_date:
        return by_date[day]
    return by_weekday.get(Weekday.of(day), max_minutes_per_day)


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
    max_minutes_by_weekday: MaxMinutesByWeekday = Field(default_factory=dict)
    max_minutes_by_date: MaxMinutesByDate = Field(default_factory=dict)
    user_id: uuid.UUID | None = Field(default=None, description="The user account, if any.")
    status: StaffStatus = StaffStatus.ACTIVE
    version: Version
    retired_at: AwareDatetime | None = Field(
        default=None,
        description="Set once the staff member is retired; the snapshot stays as its last word "
        "on a compacted topic.",
    )

    def max_minutes_on(self, day: date) -> int | None:
        """Their daily maximum on a local date (`daily_maximum`)."""
        return daily_maximum(
            day, self.max_minutes_per_day, self.max_minutes_by_weekday, self.max_minutes_by_date
        )


class StaffMemberRetired(Event):
    """The staff member left; they take no more assignments."""

    topic = RESOURCES_STAFF
    key_field = "staff_id"

    staff_id: uuid.UUID
    retired_at: AwareDatetime
    version: Version


EVENTS: tuple[type[Event], ...] = (StaffMemberUpserted, StaffMemberRetired)
