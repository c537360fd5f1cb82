"""Seeded, realistic planning instances for tests and the benchmark.

Rooms open 08:00-16:00 local on weekdays; most room-days are blocked for the room's service,
some for one surgeon, the rest unblocked. Case durations, setup, cleanup, equipment and staff
needs follow the specialty; demand is set by the case count and usually exceeds capacity.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from contracts.planning import (
    Horizon,
    ObjectiveWeights,
    OptimizationProblem,
    PlanningBlock,
    PlanningCase,
    PlanningEquipmentUnit,
    PlanningRoom,
    PlanningStaffMember,
)
from contracts.values import UtcWindow
from contracts.vocabulary import StaffRequirement, StaffRole, SurgeryPriority

ZONE = "Europe/Amsterdam"
FIRST_DAY = date(2026, 3, 16)  # a Monday; four weeks from it cross the spring DST change


@dataclass(frozen=True, slots=True)
class Specialty:
    name: str
    capabilities: tuple[str, ...]
    mean: int
    spread: int
    setup: int
    cleanup: int
    equipment: tuple[tuple[str, float], ...] = ()
    extra_roles: tuple[StaffRole, ...] = ()


SPECIALTIES = {
    "general": Specialty("general", ("general",), 100, 45, 20, 15),
    "orthopaedics": Specialty(
        "orthopaedics", ("orthopaedic", "laminar_flow"), 130, 50, 30, 20, (("c_arm", 0.4),)
    ),
    "urology": Specialty("urology", ("general",), 110, 40, 25, 15, (("surgical_robot", 0.4),)),
    "cardiac": Specialty("cardiac", ("cardiac",), 240, 60, 45, 30, (), (StaffRole.PERFUSIONIST,)),
    "neuro": Specialty("neuro", ("neuro",), 200, 70, 40, 25, (("microscope", 0.7),)),
    "vascular": Specialty("vascular", ("vascular", "hybrid"), 150, 50, 30, 20, (("c_arm", 0.6),)),
}
ROOM_ORDER = ["general", "orthopaedics", "urology", "cardiac", "general", "neuro", "vascular",
              "orthopaedics", "general", "urology"]  # fmt: skip
ROOM_CAPABILITIES = {"urology": ("general", "robotic")}
UNITS = {"c_arm": (4, 30), "surgical_robot": (8, 45), "microscope": (6, 20)}


class _Builder:
    def __init__(self, seed: int, days: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - seeded test data, not secrets
        self.zone = ZoneInfo(ZONE)
        self.dates = [FIRST_DAY + timedelta(days=d) for d in range(days)]
        self.workdays = [d for d in self.dates if d.weekday() < 5]

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def at(self, day: date, hour: float) -> datetime:
        clock = time(int(hour), round(hour % 1 * 60))
        return datetime.combine(day, clock, self.zone).astimezone(UTC)

    def windows(self, days: list[date], start: float, end: float) -> tuple[UtcWindow, ...]:
        return tuple(UtcWindow(start=self.at(d, start), end=self.at(d, end)) for d in days)


def generate(
    days: int, rooms: int, cases: int, seed: int = 1, *, time_limit_seconds: float = 60.0
) -> OptimizationProblem:
    """A horizon of `days` calendar days from a Monday, `rooms` rooms and `cases` cases."""
    b = _Builder(seed, days)
    room_specialties = [ROOM_ORDER[i % len(ROOM_ORDER)] for i in range(rooms)]
    planning_rooms = [
        PlanningRoom(
            room_id=b.uid(),
            capabilities=ROOM_CAPABILITIES.get(s, SPECIALTIES[s].capabilities),
            open_intervals=b.windows(b.workdays, 8, 16),
        )
        for s in room_specialties
    ]
    surgeons = _surgeons(b, room_specialties)
    staff = [s for group in surgeons.values() for s in group] + _team(b, room_specialties)
    return OptimizationProblem(
        horizon=Horizon(start_date=b.dates[0], end_date=b.dates[-1], timezone=ZONE),
        cases=tuple(_case(b, surgeons, room_specialties) for _ in range(cases)),
        rooms=tuple(planning_rooms),
        staff=tuple(staff),
        equipment_units=tuple(_units(b, rooms)),
        blocks=tuple(_blocks(b, planning_rooms, room_specialties, surgeons)),
        time_limit_seconds=time_limit_seconds,
    )


def _surgeons(b: _Builder, room_specialties: list[str]) -> dict[str, list[PlanningStaffMember]]:
    out = {}
    for name in dict.fromkeys(room_specialties):
        count = 2 + room_specialties.count(name)
        out[name] = [
            PlanningStaffMember(
                staff_id=b.uid(),
                roles=(StaffRole.SURGEON,),
                available_intervals=b.windows(
                    [d for d in b.workdays if b.rng.random() > 0.15], 7.5, 17
                ),
                max_minutes_per_day=420,
            )
            for _ in range(count)
        ]
    return out


def _team(b: _Builder, room_specialties: list[str]) -> list[PlanningStaffMember]:
    rooms = len(room_specialties)
    counts = {
        StaffRole.ANAESTHETIST: rooms + 1,
        StaffRole.SCRUB_NURSE: rooms + 2,
        StaffRole.PERFUSIONIST: 2 * room_specialties.count("cardiac"),
    }
    return [
        PlanningStaffMember(
            staff_id=b.uid(),
            roles=(role,),
            available_intervals=b.windows(
                [d for d in b.workdays if b.rng.random() > 0.1], 7.5, 16.5
            ),
            max_minutes_per_day=450,
        )
        for role, count in counts.items()
        for _ in range(count)
    ]


def _units(b: _Builder, rooms: int) -> list[PlanningEquipmentUnit]:
    return [
        PlanningEquipmentUnit(unit_id=b.uid(), equipment_type=kind, turnaround_minutes=turnaround)
        for kind, (rooms_per_unit, turnaround) in UNITS.items()
        for _ in range(max(1, rooms // rooms_per_unit))
    ]


def _blocks(
    b: _Builder,
    rooms: list[PlanningRoom],
    room_specialties: list[str],
    surgeons: dict[str, list[PlanningStaffMember]],
) -> list[PlanningBlock]:
    blocks = []
    for room, specialty in zip(rooms, room_specialties, strict=True):
        for day in b.workdays:
            draw = b.rng.random()
            if draw < 0.1:
                continue  # unblocked: open to every service
            surgeon = b.rng.choice(surgeons[specialty]).staff_id if draw > 0.85 else None
            blocks.append(
                PlanningBlock(
                    block_id=b.uid(),
                    room_id=room.room_id,
                    start=b.at(day, 8),
                    end=b.at(day, 16),
                    surgeon_id=surgeon,
                    service=None if surgeon else specialty,
                )
            )
    return blocks


def _case(
    b: _Builder, surgeons: dict[str, list[PlanningStaffMember]], room_specialties: list[str]
) -> PlanningCase:
    rng = b.rng
    spec = SPECIALTIES[rng.choice(room_specialties)]
    duration = int(min(420, max(30, rng.gauss(spec.mean, spec.spread))) // 5 * 5)
    equipment = tuple(kind for kind, chance in spec.equipment if rng.random() < chance)
    capabilities = spec.capabilities + (("robotic",) if "surgical_robot" in equipment else ())
    roles = [StaffRole.ANAESTHETIST, StaffRole.SCRUB_NURSE, *spec.extra_roles]
    priority, earliest, due = _urgency(b)
    return PlanningCase(
        case_id=b.uid(),
        surgeon_id=rng.choice(surgeons[spec.name]).staff_id,
        specialty=spec.name,
        duration_minutes=duration,
        setup_minutes=spec.setup,
        cleanup_minutes=spec.cleanup,
        priority=priority,
        earliest_date=earliest,
        due_date=due,
        required_capabilities=capabilities,
        equipment_types=equipment,
        staff_roles_needed=tuple(StaffRequirement(role=r) for r in roles),
    )


def _urgency(b: _Builder) -> tuple[SurgeryPriority, date, date]:
    rng, first = b.rng, b.dates[0]
    draw = rng.random()
    # Mandatory cases arrive on a working day early enough to leave a choice of days.
    soon = b.workdays[rng.randrange(max(1, len(b.workdays) - 2))]
    if draw < 0.03:
        return SurgeryPriority.EMERGENCY, soon, soon
    if draw < 0.10:
        return SurgeryPriority.URGENT, soon, soon + timedelta(days=2)
    if draw < 0.12:  # already past due: mandatory now
        return SurgeryPriority.ELECTIVE, first - timedelta(days=30), first - timedelta(days=2)
    earliest = first if rng.random() < 0.7 else b.dates[rng.randrange(len(b.dates))]
    return SurgeryPriority.ELECTIVE, earliest, earliest + timedelta(days=rng.randrange(5, 60))


LONG_ZONE_ROOMS = ("general", "general", "orthopaedics", "general", "urology", "orthopaedics")
ROOM_SWITCH_PRICE = 500  # a surgeon walking to another room mid-day costs a whole team's wait
PART_DAY_MINUTES = (180, 240, 300)  # a surgeon's clinic or teaching day leaves part of it
ON_CALL_MINUTES = 120  # the day after a night on call: a short list at most


def long_horizon(
    rooms: int = 4,
    surgeons: int = 36,
    cases: int = 320,
    seed: int = 1,
    *,
    days: int = 28,
    time_limit_seconds: float = 60.0,
) -> OptimizationProblem:
    """Four weeks, a few rooms each closed on some weekdays, dozens of surgeons whose daily
    maximum differs by date (`max_minutes_by_date`: full, part and on-call days), a heavy price on
    a surgeon switching rooms within a day, and mostly optional cases that may wait or be left out.
    """
    b = _Builder(seed, days)
    room_specialties = [LONG_ZONE_ROOMS[i % len(LONG_ZONE_ROOMS)] for i in range(rooms)]
    planning_rooms = []
    for s in room_specialties:
        closed = b.rng.sample(range(5), 1)  # one weekday a week: maintenance or no anaesthesia
        open_days = [d for d in b.workdays if d.weekday() not in closed and b.rng.random() > 0.05]
        planning_rooms.append(
            PlanningRoom(
                room_id=b.uid(),
                capabilities=ROOM_CAPABILITIES.get(s, SPECIALTIES[s].capabilities),
                open_intervals=b.windows(open_days, 8, 16.5),
            )
        )
    specialties = list(dict.fromkeys(room_specialties))
    surgeon_groups: dict[str, list[PlanningStaffMember]] = {s: [] for s in specialties}
    for i in range(surgeons):
        name = specialties[i % len(specialties)]
        surgeon_groups[name].append(_long_surgeon(b))
    staff = [s for group in surgeon_groups.values() for s in group] + _team(b, room_specialties)
    weights = ObjectiveWeights(surgeon_extra_room=ROOM_SWITCH_PRICE)
    return OptimizationProblem(
        horizon=Horizon(start_date=b.dates[0], end_date=b.dates[-1], timezone=ZONE),
        cases=tuple(_long_case(b, surgeon_groups, room_specialties) for _ in range(cases)),
        rooms=tuple(planning_rooms),
        staff=tuple(staff),
        equipment_units=tuple(_units(b, max(rooms, 4))),
        objective_weights=weights,
        time_limit_seconds=time_limit_seconds,
    )


def _long_surgeon(b: _Builder) -> PlanningStaffMember:
    """Works most weekdays; on some a part day or an on-call day caps the minutes."""
    days = [d for d in b.workdays if b.rng.random() > 0.3]
    by_date = {}
    for d in days:
        draw = b.rng.random()
        if draw < 0.25:
            by_date[d] = b.rng.choice(PART_DAY_MINUTES)
        elif draw < 0.35:
            by_date[d] = ON_CALL_MINUTES
    return PlanningStaffMember(
        staff_id=b.uid(),
        roles=(StaffRole.SURGEON,),
        available_intervals=b.windows(days, 7.5, 17),
        max_minutes_per_day=480,
        max_minutes_by_date=by_date,
    )


def _long_case(
    b: _Builder, surgeons: dict[str, list[PlanningStaffMember]], room_specialties: list[str]
) -> PlanningCase:
    """Mostly elective cases, a few urgent; many may start any day of the four weeks."""
    rng = b.rng
    spec = SPECIALTIES[rng.choice(room_specialties)]
    duration = int(min(300, max(30, rng.gauss(spec.mean * 0.8, spec.spread))) // 5 * 5)
    equipment = tuple(kind for kind, chance in spec.equipment if rng.random() < chance)
    capabilities = spec.capabilities + (("robotic",) if "surgical_robot" in equipment else ())
    first = b.dates[0]
    if rng.random() < 0.06:
        soon = b.workdays[rng.randrange(len(b.workdays) - 3)]
        priority, earliest, due = SurgeryPriority.URGENT, soon, soon + timedelta(days=3)
    else:
        earliest = first if rng.random() < 0.5 else b.dates[rng.randrange(len(b.dates))]
        priority, due = SurgeryPriority.ELECTIVE, earliest + timedelta(days=rng.randrange(7, 60))
    return PlanningCase(
        case_id=b.uid(),
        surgeon_id=rng.choice(surgeons[spec.name]).staff_id,
        specialty=spec.name,
        duration_minutes=duration,
        setup_minutes=spec.setup,
        cleanup_minutes=spec.cleanup,
        priority=priority,
        earliest_date=earliest,
        due_date=due,
        required_capabilities=capabilities,
        equipment_types=equipment,
        staff_roles_needed=tuple(
            StaffRequirement(role=r) for r in (StaffRole.ANAESTHETIST, StaffRole.SCRUB_NURSE)
        ),
    )
