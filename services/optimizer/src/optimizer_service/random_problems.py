"""Random valid planning problems with every feature the contract has, for property tests and the
fuzz benchmark.

One `random.Random` drives every choice, so a problem is replayed from its seed (the property
tests draw it with Hypothesis's `st.randoms()`, the fuzz benchmark counts seeds up). They have a
DST day (Europe/Amsterdam), rooms open twice a day or across midnight or not at all, times off
the whole minute, blocks respected or not, staff with several roles and daily maxima, people
whose time is partly or wholly outside the horizon, empty availability (always available),
equipment with turnaround, booked and locked cases (locked ones never clash with each other),
and cases that fit nowhere (a capability no room has, a role nobody holds, an earliest date
after the horizon).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from contracts.planning import (
    CurrentBooking,
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

# the spring and autumn DST changes in Europe/Amsterdam, and an ordinary Monday
FIRST_DATES = (date(2026, 3, 28), date(2026, 10, 24), date(2026, 3, 16))
ZONES = ("Europe/Amsterdam", "UTC")
CAPABILITIES = ("general", "orthopaedic", "cardiac")
SERVICES = ("general", "orthopaedics", "cardiac")
UNIT_TYPES = ("c_arm", "microscope")
ROLES = (StaffRole.ANAESTHETIST, StaffRole.SCRUB_NURSE, StaffRole.CIRCULATING_NURSE)
MANDATORY = (SurgeryPriority.URGENT, SurgeryPriority.EMERGENCY)


@dataclass(frozen=True, slots=True)
class Size:
    days: tuple[int, int] = (1, 5)
    rooms: tuple[int, int] = (1, 6)
    cases: tuple[int, int] = (1, 60)


@dataclass(slots=True)
class _Draw:
    rng: random.Random
    zone: ZoneInfo
    dates: list[date]
    urgent_share: float = 0.0  # most problems can then be planned; a few show infeasibility
    busy: dict[uuid.UUID, list[tuple[datetime, datetime]]] = field(default_factory=dict)
    made: int = 0

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def uid(self) -> uuid.UUID:
        """Random, and unique within the problem even when a shrinker draws zeros."""
        self.made += 1
        return uuid.UUID(int=self.rng.getrandbits(64) << 64 | self.made, version=4)

    def at(self, day: date, minute: int) -> datetime:
        """A local time of a day (minutes past midnight, past 24 h into the next), now and then
        some seconds off the whole minute."""
        local = datetime.combine(day, time(), self.zone) + timedelta(minutes=minute)
        utc = local.astimezone(UTC)
        if self.chance(0.1):
            utc += timedelta(seconds=self.rng.randint(1, 59), microseconds=self.rng.randint(0, 9))
        return utc

    def span(self, day: date, start: int, end: int) -> UtcWindow:
        return UtcWindow(start=self.at(day, start), end=self.at(day, end))

    def any_day(self) -> date:
        """A day of the horizon, or now and then the day before or after it."""
        outside = [self.dates[0] - timedelta(days=1), self.dates[-1] + timedelta(days=1)]
        return self.rng.choice(outside if self.chance(0.1) else self.dates)


def random_problem(
    rng: random.Random, size: Size = Size(), *, time_limit_seconds: float = 1.0
) -> OptimizationProblem:
    first = rng.choice(FIRST_DATES)
    days = rng.randint(*size.days)
    d = _Draw(rng, ZoneInfo(rng.choice(ZONES)), [first + timedelta(days=i) for i in range(days)])
    d.urgent_share = rng.choice((0.0, 0.0, 0.02, 0.1))
    rooms = [_room(d) for _ in range(rng.randint(*size.rooms))]
    surgeons = [_person(d, (StaffRole.SURGEON, *_maybe_role(d))) for _ in range(rng.randint(1, 5))]
    staff = [_person(d, _roles(d)) for _ in range(rng.randint(0, 8))]
    units = [_unit(d) for _ in range(rng.randint(0, 4))]
    blocks = [_block(d, rng.choice(rooms), surgeons) for _ in range(rng.randint(0, 2 * len(rooms)))]
    cases = [_case(d, rooms, surgeons, staff, units) for _ in range(rng.randint(*size.cases))]
    problem = OptimizationProblem(
        horizon=Horizon(start_date=d.dates[0], end_date=d.dates[-1], timezone=str(d.zone)),
        cases=tuple(cases),
        rooms=tuple(rooms),
        staff=tuple(surgeons + staff),
        equipment_units=tuple(units),
        blocks=tuple(blocks),
        objective_weights=ObjectiveWeights(idle_minute=rng.choice((0, 0, 1))),
        time_limit_seconds=time_limit_seconds,
        relative_gap_limit=rng.choice((0.0, 0.01, 0.05)),
        respect_blocks=d.chance(0.6),
    )
    extra = random.Random(rng.getrandbits(64))  # noqa: S311 - test problems, not secrets
    return _priced_and_part_days(extra, problem, d.dates)


def _priced_and_part_days(
    rng: random.Random, problem: OptimizationProblem, dates: list[date]
) -> OptimizationProblem:
    """Cases with prices of their own (move weight, start delay) and people with a maximum for
    some dates, drawn from a stream of their own after the rest, so that a seed still gives the
    problem it gave before these fields existed, with them added."""
    outside = [dates[0] - timedelta(days=1), *dates, dates[-1] + timedelta(days=1)]
    staff = tuple(
        m.model_copy(
            update={
                "max_minutes_by_date": {
                    day: rng.choice((30, 60, 120, 600)) for day in rng.sample(outside, 2)
                }
            }
        )
        if rng.random() < 0.2
        else m
        for m in problem.staff
    )
    cases = []
    for c in problem.cases:
        update: dict[str, int] = {}
        if c.current_booking is not None and rng.random() < 0.3:
            update["move_weight"] = rng.choice((0, 500, 6_000))
        if rng.random() < 0.15:
            update["start_delay_per_minute"] = rng.choice((1, 2, 5))
        cases.append(c.model_copy(update=update) if update else c)
    return problem.model_copy(update={"staff": staff, "cases": tuple(cases)})


def _room(d: _Draw) -> PlanningRoom:
    intervals = []
    for day in d.dates:
        shape = d.rng.random()
        if shape < 0.1:
            continue  # closed that day
        start = d.rng.choice((7 * 60, 7 * 60 + 30, 8 * 60))
        if shape < 0.3:  # split session
            pause = start + d.rng.randint(180, 300)
            intervals += [d.span(day, start, pause), d.span(day, pause + 30, pause + 270)]
        elif shape < 0.35:  # an evening list running past midnight
            intervals.append(d.span(day, 20 * 60, 26 * 60))
        else:
            intervals.append(d.span(day, start, start + d.rng.randint(240, 600)))
    capabilities = d.rng.sample(CAPABILITIES, d.rng.randint(1, 2))
    return PlanningRoom(room_id=d.uid(), capabilities=capabilities, open_intervals=intervals)


def _maybe_role(d: _Draw) -> tuple[StaffRole, ...]:
    return (d.rng.choice(ROLES),) if d.chance(0.15) else ()


def _roles(d: _Draw) -> tuple[StaffRole, ...]:
    return tuple(d.rng.sample(ROLES, 2 if d.chance(0.3) else 1))


def _availability(d: _Draw) -> tuple[UtcWindow, ...]:
    shape = d.rng.random()
    if shape < 0.4:
        return ()  # always available
    if shape < 0.45:  # only outside the horizon
        return (d.span(d.dates[-1] + timedelta(days=1), 8 * 60, 16 * 60),)
    windows = []
    for day in {d.any_day() for _ in range(d.rng.randint(1, len(d.dates) + 1))}:
        start = d.rng.choice((6 * 60, 7 * 60, 8 * 60, 10 * 60, 12 * 60))
        windows.append(d.span(day, start, start + d.rng.randint(120, 600)))
    return tuple(windows)


def _person(d: _Draw, roles: tuple[StaffRole, ...]) -> PlanningStaffMember:
    daily_max = d.rng.choice((None, None, 60, 120, 240, 480))
    return PlanningStaffMember(
        staff_id=d.uid(),
        roles=roles,
        available_intervals=_availability(d),
        max_minutes_per_day=daily_max,
    )


def _unit(d: _Draw) -> PlanningEquipmentUnit:
    return PlanningEquipmentUnit(
        unit_id=d.uid(),
        equipment_type=d.rng.choice(UNIT_TYPES),
        available_intervals=_availability(d),
        turnaround_minutes=d.rng.choice((0, 0, 15, 30, 90)),
    )


def _block(d: _Draw, room: PlanningRoom, surgeons: list[PlanningStaffMember]) -> PlanningBlock:
    day = d.rng.choice(d.dates)
    start = d.rng.choice((7 * 60, 8 * 60, 10 * 60, 12 * 60 + 15))
    owner = (
        {"surgeon_id": d.rng.choice(surgeons).staff_id}
        if d.chance(0.5)
        else {"service": d.rng.choice(SERVICES)}
    )
    end = start + d.rng.randint(60, 360)
    window = d.span(day, start, end)
    return PlanningBlock(
        block_id=d.uid(), room_id=room.room_id, start=window.start, end=window.end, **owner
    )


def _case(
    d: _Draw,
    rooms: list[PlanningRoom],
    surgeons: list[PlanningStaffMember],
    staff: list[PlanningStaffMember],
    units: list[PlanningEquipmentUnit],
) -> PlanningCase:
    rng = d.rng
    surgeon = rng.choice(surgeons)
    duration = rng.choice((15, 30, 45, 60, 90, 120, 180, 240, 300))
    setup, cleanup = rng.choice((0, 10, 20, 30)), rng.choice((0, 10, 15, 30))
    capabilities = _needed_capabilities(d)
    roles = _needed_roles(d)
    equipment = tuple(rng.sample(UNIT_TYPES, 1)) if d.chance(0.2) else ()
    earliest, due = _dates(d)
    booking = _booking(d, rooms, surgeon, staff, units, duration, setup, cleanup)
    locked = booking is not None and d.chance(0.4) and _claim(d, surgeon, booking, setup, cleanup)
    return PlanningCase(
        case_id=d.uid(),
        surgeon_id=surgeon.staff_id,
        specialty=rng.choice((None, *SERVICES)),
        duration_minutes=duration,
        setup_minutes=setup,
        cleanup_minutes=cleanup,
        priority=rng.choice(MANDATORY) if d.chance(d.urgent_share) else SurgeryPriority.ELECTIVE,
        earliest_date=earliest,
        due_date=due,
        required_capabilities=capabilities,
        equipment_types=equipment,
        staff_roles_needed=roles,
        current_booking=booking,
        locked=locked,
    )


def _needed_capabilities(d: _Draw) -> tuple[str, ...]:
    if d.chance(0.03):
        return ("transplant",)  # no room has it: fits nowhere
    return tuple(d.rng.sample(CAPABILITIES, 1)) if d.chance(0.5) else ()


def _needed_roles(d: _Draw) -> tuple[StaffRequirement, ...]:
    roles = d.rng.sample((*ROLES, StaffRole.PERFUSIONIST), d.rng.choice((0, 0, 1, 2)))
    return tuple(StaffRequirement(role=r, count=d.rng.choice((1, 1, 2))) for r in roles)


def _dates(d: _Draw) -> tuple[date | None, date | None]:
    first, last = d.dates[0], d.dates[-1]
    earliest = None
    if d.chance(0.3):
        earliest = first + timedelta(days=d.rng.randint(-2, len(d.dates) + (d.chance(0.1))))
    due = None
    if d.chance(0.5):  # past due (so mandatory) only as often as urgent
        late = -1 if d.chance(d.urgent_share) else d.rng.randint(0, 4)
        due = max(earliest or first, first) + timedelta(days=late)
        due = max(due, earliest) if earliest else due
    if earliest is not None and earliest > last and due is not None and due < earliest:
        due = earliest
    return earliest, due


def _booking(
    d: _Draw,
    rooms: list[PlanningRoom],
    surgeon: PlanningStaffMember,
    staff: list[PlanningStaffMember],
    units: list[PlanningEquipmentUnit],
    duration: int,
    setup: int,
    cleanup: int,
) -> CurrentBooking | None:
    if not d.chance(0.25):
        return None
    room = d.rng.choice(rooms)
    opened = room.open_intervals
    if opened and d.chance(0.8):
        window = d.rng.choice(opened)
        start = window.start + timedelta(minutes=setup + d.rng.choice((0, 15, 30, 60)))
    else:
        start = d.at(d.any_day(), d.rng.randint(6 * 60, 18 * 60))
    length = duration if d.chance(0.8) else duration + d.rng.choice((-10, 20))
    people = [s.staff_id for s in d.rng.sample(staff, min(len(staff), d.rng.randint(0, 2)))]
    if d.chance(0.1):
        people.append(surgeon.staff_id)  # a booking may list its surgeon among its staff
    return CurrentBooking(
        room_id=room.room_id,
        start=start,
        end=start + timedelta(minutes=max(5, length)),
        staff_ids=tuple(people),
        equipment_unit_ids=tuple(u.unit_id for u in d.rng.sample(units, min(len(units), 1)))
        if d.chance(0.3)
        else (),
    )


def _claim(
    d: _Draw, surgeon: PlanningStaffMember, booking: CurrentBooking, setup: int, cleanup: int
) -> bool:
    """Whether the booking may be locked: its room, surgeon, staff and units free then (locked
    bookings that clash make a problem no plan solves; they are tested on their own)."""
    margin = timedelta(minutes=max(setup, cleanup) + 90)  # room time and any unit's turnaround
    span = (booking.start - margin, booking.end + margin)
    keys = [booking.room_id, surgeon.staff_id, *booking.staff_ids, *booking.equipment_unit_ids]
    if any(a < span[1] and span[0] < b for k in keys for a, b in d.busy.get(k, [])):
        return False
    for k in keys:
        d.busy.setdefault(k, []).append(span)
    return True
