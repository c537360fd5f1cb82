"""What the booking rules look at: the case, where it would go, and what holds each resource.

Plain values only, built by the service from its tables and read model, so every rule in
`domain.conflicts` can be tried on data a test writes by hand.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span
from contracts.events.resources_staff import daily_maximum
from contracts.events.scheduling_surgeries import StaffAssignment
from contracts.values import Weekday
from contracts.vocabulary import StaffRole

SURGEON = StaffRole.SURGEON.value
# A booking holds at most this many people, its surgeon included (the contract's `Booking.staff`).
MOST_STAFF = 30


@dataclass(frozen=True, slots=True)
class CaseNeeds:
    """A surgery request as the booking rules see it."""

    surgery_id: uuid.UUID
    status: str
    surgeon_id: uuid.UUID
    duration_minutes: int
    setup_minutes: int = 0
    cleanup_minutes: int = 0
    earliest_date: date | None = None
    required_capabilities: frozenset[str] = frozenset()
    equipment_types: tuple[str, ...] = ()
    # role → how many people of it, besides the case's surgeon.
    roles_needed: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a coordinator (or a proposal) puts a case: room, start, the people besides the
    surgeon, the equipment units. The surgeon comes with the case."""

    room_id: uuid.UUID
    start: datetime
    staff: tuple[StaffAssignment, ...] = ()
    equipment_unit_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True, slots=True)
class Proposal:
    """A placement worked out for its case: the spans it would hold and everyone in it."""

    surgery_id: uuid.UUID
    room_id: uuid.UUID
    surgery: Span
    room_span: Span
    # (staff id, role they fill), the case's surgeon first.
    staff: tuple[tuple[uuid.UUID, str], ...]
    unit_ids: tuple[uuid.UUID, ...]

    @property
    def staff_ids(self) -> tuple[uuid.UUID, ...]:
        return tuple(dict.fromkeys(staff_id for staff_id, _ in self.staff))


def propose(case: CaseNeeds, placement: Placement) -> Proposal:
    """The spans a placement holds: the room from setup to cleanup, people for the surgery.

    The case's surgeon is added as its surgeon; listing them again as surgeon changes nothing.
    """
    start = placement.start
    end = start + timedelta(minutes=case.duration_minutes)
    others = tuple(
        (a.staff_id, a.role.value)
        for a in placement.staff
        if not (a.staff_id == case.surgeon_id and a.role.value == SURGEON)
    )
    return Proposal(
        surgery_id=case.surgery_id,
        room_id=placement.room_id,
        surgery=Span(start, end),
        room_span=Span(
            start - timedelta(minutes=case.setup_minutes),
            end + timedelta(minutes=case.cleanup_minutes),
        ),
        staff=((case.surgeon_id, SURGEON), *others),
        unit_ids=tuple(placement.equipment_unit_ids),
    )


@dataclass(frozen=True, slots=True)
class RoomFacts:
    room_id: uuid.UUID
    code: str
    status: str
    retired: bool
    capabilities: frozenset[str]
    # Its open time around the proposal, merged: the held span must fit in one of them.
    open: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class PersonFacts:
    staff_id: uuid.UUID
    name: str
    role: str
    active: bool
    retired: bool
    timezone: ZoneInfo
    max_minutes_per_day: int | None
    # Working time outside absences around the proposal.
    available: tuple[Span, ...]
    # Part days and on-call days: a maximum in place of `max_minutes_per_day` (`max_minutes_on`).
    max_minutes_by_weekday: Mapping[Weekday, int] = field(default_factory=dict)
    max_minutes_by_date: Mapping[date, int] = field(default_factory=dict)

    def max_minutes_on(self, day: date) -> int | None:
        """Their most minutes of cases on a local date: resources' one rule (`daily_maximum`)."""
        return daily_maximum(
            day, self.max_minutes_per_day, self.max_minutes_by_weekday, self.max_minutes_by_date
        )


@dataclass(frozen=True, slots=True)
class UnitFacts:
    unit_id: uuid.UUID
    label: str
    equipment_type: str
    status: str
    retired: bool
    fixed_room_id: uuid.UUID | None
    turnaround_minutes: int
    maintenance: tuple[Span, ...] = ()

    def held_for(self, surgery: Span) -> Span:
        """A unit is held for the surgery and then its reprocessing."""
        return Span(surgery.start, surgery.end + timedelta(minutes=self.turnaround_minutes))


@dataclass(frozen=True, slots=True)
class Held:
    """Another case holding a room, person or unit over `span`."""

    surgery_id: uuid.UUID
    resource_id: uuid.UUID
    span: Span


@dataclass(frozen=True, slots=True)
class Holdings:
    """What other cases hold, per kind of resource."""

    rooms: tuple[Held, ...] = ()
    staff: tuple[Held, ...] = ()
    units: tuple[Held, ...] = ()

    def __add__(self, other: Holdings) -> Holdings:
        return Holdings(
            self.rooms + other.rooms, self.staff + other.staff, self.units + other.units
        )


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the rules need to judge one proposal, besides the case itself.

    `held` covers rooms and units over spans around the proposal's, and people over their whole
    local day: a daily maximum counts every case of the day. `now` is the moment of judging;
    `None` lets a case start in the past (only the demo seed books last week's cases).
    """

    room: RoomFacts | None
    staff: Mapping[uuid.UUID, PersonFacts]
    units: Mapping[uuid.UUID, UnitFacts]
    hospital_tz: ZoneInfo
    now: datetime | None
    held: Holdings = Holdings()


def holdings(proposal: Proposal, units: Mapping[uuid.UUID, UnitFacts]) -> Holdings:
    """What a proposal would hold, to judge the other proposals of the same change against."""
    case = proposal.surgery_id
    return Holdings(
        rooms=(Held(case, proposal.room_id, proposal.room_span),),
        staff=tuple(Held(case, s, proposal.surgery) for s in proposal.staff_ids),
        units=tuple(
            Held(case, u, units[u].held_for(proposal.surgery))
            for u in proposal.unit_ids
            if u in units
        ),
    )
