"""Of people and units no plan could tell apart, only as many as the cases could use: no I/O."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from contracts.planning import PlanningEquipmentUnit, PlanningStaffMember
from contracts.values import UtcWindow
from contracts.vocabulary import StaffRole
from scheduling_service.domain import interchangeable

DAY = (
    UtcWindow(start=datetime(2031, 3, 5, 6, tzinfo=UTC), end=datetime(2031, 3, 5, 18, tzinfo=UTC)),
)
MORNING = (
    UtcWindow(start=datetime(2031, 3, 5, 6, tzinfo=UTC), end=datetime(2031, 3, 5, 12, tzinfo=UTC)),
)


def member(role: StaffRole, windows=DAY, most: int | None = 600) -> PlanningStaffMember:
    return PlanningStaffMember(
        staff_id=uuid.uuid4(), roles=(role,), available_intervals=windows, max_minutes_per_day=most
    )


def unit(windows=DAY, turnaround: int = 30) -> PlanningEquipmentUnit:
    return PlanningEquipmentUnit(
        unit_id=uuid.uuid4(),
        equipment_type="c_arm",
        available_intervals=windows,
        turnaround_minutes=turnaround,
    )


def test_of_people_alike_only_as_many_as_the_cases_need_of_their_role_are_kept() -> None:
    alike = [member(StaffRole.ANAESTHETIST) for _ in range(5)]

    kept = interchangeable.people(alike, {StaffRole.ANAESTHETIST: 2}, named=())

    assert kept == alike[:2]


def test_people_differing_in_time_or_daily_maximum_are_not_alike() -> None:
    found = [
        member(StaffRole.SCRUB_NURSE),
        member(StaffRole.SCRUB_NURSE, windows=MORNING),
        member(StaffRole.SCRUB_NURSE, most=480),
        member(StaffRole.SCRUB_NURSE),
    ]

    kept = interchangeable.people(found, {StaffRole.SCRUB_NURSE: 1}, named=())

    assert kept == found[:3]


def test_surgeons_and_people_a_booking_names_are_always_kept() -> None:
    surgeons = [member(StaffRole.SURGEON) for _ in range(3)]
    booked = member(StaffRole.ANAESTHETIST)
    alike = [member(StaffRole.ANAESTHETIST) for _ in range(3)]

    kept = interchangeable.people(
        [*surgeons, booked, *alike], {StaffRole.ANAESTHETIST: 1}, named={booked.staff_id}
    )

    assert kept == [*surgeons, booked, alike[0]]


def test_of_units_alike_only_as_many_as_the_cases_need_of_their_kind_are_kept() -> None:
    alike = [unit() for _ in range(4)]
    slower = unit(turnaround=60)

    kept = interchangeable.units([*alike, slower], {"c_arm": 1}, named={alike[3].unit_id})

    assert kept == [alike[0], alike[3], slower]
