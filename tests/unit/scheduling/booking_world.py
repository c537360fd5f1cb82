"""Hand-made facts for the booking rules: a room, a team and a C-arm on one Wednesday.

Times are local to Europe/Amsterdam (the hospital's zone); the room is open and everyone works
07:00-19:00, the case takes 90 minutes with 20 minutes' setup and 15 minutes' cleanup. The rules
are judged at `NOW`, the Wednesday before: the rules take the moment as a fact, so the dates
here stay fixed whatever today is.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span
from contracts.events.scheduling_surgeries import StaffAssignment
from contracts.vocabulary import StaffRole
from scheduling_service.domain.booking.booking_facts import (
    CaseNeeds,
    Facts,
    Held,
    Holdings,
    PersonFacts,
    Placement,
    RoomFacts,
    UnitFacts,
    propose,
)
from scheduling_service.domain.booking.conflicts import Conflict, find_conflicts

TZ = ZoneInfo("Europe/Amsterdam")
DAY = date(2027, 3, 10)


def at(clock: str, day: date = DAY) -> datetime:
    """The aware instant of local `clock` ("HH:MM") on `day`."""
    hours, minutes = map(int, clock.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=TZ)


NOW = at("12:00", DAY - timedelta(days=7))


def span(start: str, end: str, day: date = DAY) -> Span:
    return Span(at(start, day), at(end, day))


def around(days: int = 1) -> tuple[Span, ...]:
    """07:00-19:00 on the day and `days` either side."""
    return tuple(span("07:00", "19:00", DAY + timedelta(days=n)) for n in range(-days, days + 1))


def room(**changes: Any) -> RoomFacts:
    values: dict[str, Any] = {
        "room_id": uuid.uuid4(),
        "code": "OR-1",
        "status": "active",
        "retired": False,
        "capabilities": frozenset({"general", "orthopaedic"}),
        "open": around(),
    }
    return RoomFacts(**(values | changes))


def person(role: str, **changes: Any) -> PersonFacts:
    values: dict[str, Any] = {
        "staff_id": uuid.uuid4(),
        "name": f"A {role}",
        "role": role,
        "active": True,
        "retired": False,
        "timezone": TZ,
        "max_minutes_per_day": 600,
        "available": around(),
    }
    return PersonFacts(**(values | changes))


def unit(**changes: Any) -> UnitFacts:
    values: dict[str, Any] = {
        "unit_id": uuid.uuid4(),
        "label": "C-arm 1",
        "equipment_type": "c_arm",
        "status": "available",
        "retired": False,
        "fixed_room_id": None,
        "turnaround_minutes": 30,
    }
    return UnitFacts(**(values | changes))


@dataclass
class Ward:
    """A room, a surgeon, an anaesthetist and a C-arm, and a case needing all of them."""

    room: RoomFacts = field(default_factory=room)
    surgeon: PersonFacts = field(default_factory=lambda: person("surgeon"))
    anaesthetist: PersonFacts = field(default_factory=lambda: person("anaesthetist"))
    c_arm: UnitFacts = field(default_factory=unit)
    extra_staff: list[PersonFacts] = field(default_factory=list)
    extra_units: list[UnitFacts] = field(default_factory=list)
    held: Holdings = field(default_factory=Holdings)
    room_known: bool = True
    now: datetime | None = NOW
    case: CaseNeeds = field(init=False)

    def __post_init__(self) -> None:
        self.case = CaseNeeds(
            surgery_id=uuid.uuid4(),
            status="requested",
            surgeon_id=self.surgeon.staff_id,
            duration_minutes=90,
            setup_minutes=20,
            cleanup_minutes=15,
            required_capabilities=frozenset({"general"}),
            equipment_types=("c_arm",),
            roles_needed={"anaesthetist": 1},
        )

    def needing(self, **changes: Any) -> Ward:
        self.case = replace(self.case, **changes)
        return self

    def placement(self, start: str = "09:00", **changes: Any) -> Placement:
        """The case at local `start` with the anaesthetist and the C-arm."""
        values: dict[str, Any] = {
            "room_id": self.room.room_id,
            "start": at(start),
            "staff": (
                StaffAssignment(staff_id=self.anaesthetist.staff_id, role=StaffRole.ANAESTHETIST),
            ),
            "equipment_unit_ids": (self.c_arm.unit_id,),
        }
        return Placement(**(values | changes))

    def facts(self) -> Facts:
        people = [self.surgeon, self.anaesthetist, *self.extra_staff]
        units = [self.c_arm, *self.extra_units]
        return Facts(
            room=self.room if self.room_known else None,
            staff={p.staff_id: p for p in people},
            units={u.unit_id: u for u in units},
            hospital_tz=TZ,
            now=self.now,
            held=self.held,
        )

    def conflicts(self, placement: Placement | None = None) -> list[Conflict]:
        proposal = propose(self.case, placement or self.placement())
        return find_conflicts(self.case, proposal, self.facts())

    def codes(self, placement: Placement | None = None) -> list[str]:
        return [c.code for c in self.conflicts(placement)]

    def another_case_holds(
        self, kind: str, resource_id: uuid.UUID, start: str, end: str
    ) -> uuid.UUID:
        other = uuid.uuid4()
        held = (Held(other, resource_id, span(start, end)),)
        self.held = self.held + Holdings(**{kind: held})
        return other
