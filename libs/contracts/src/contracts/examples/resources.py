"""Examples of the resources events: rooms, staff, equipment and blocks."""

from __future__ import annotations

from datetime import date

from contracts.events.resources_blocks import BlockAllocated, BlockReleased, WeeklyRecurrence
from contracts.events.resources_equipment import EquipmentRetired, EquipmentUnit, EquipmentUpserted
from contracts.events.resources_operating_rooms import (
    HoursExceptionKind,
    OperatingRoomRetired,
    OperatingRoomUpserted,
    RoomHoursException,
)
from contracts.events.resources_staff import StaffMemberRetired, StaffMemberUpserted
from contracts.examples.ids import (
    BLOCK,
    C_ARM,
    C_ARM_UNIT,
    COORDINATOR,
    ROOM,
    SURGEON,
    at,
)
from contracts.values import LocalTimeRange, TimeWindow, Weekday, WeeklyHours
from contracts.vocabulary import StaffRole

DAY_SHIFT = (LocalTimeRange(start="07:30", end="17:30"),)
WEEKDAYS = WeeklyHours(
    monday=DAY_SHIFT, tuesday=DAY_SHIFT, wednesday=DAY_SHIFT, thursday=DAY_SHIFT, friday=DAY_SHIFT
)

EXAMPLES = (
    OperatingRoomUpserted(
        room_id=ROOM,
        code="OR-1",
        name="Orthopaedic theatre 1",
        location="Main building, floor 2",
        capabilities=("orthopaedic", "laminar_flow"),
        weekly_hours=WEEKDAYS,
        exceptions=(
            RoomHoursException(
                kind=HoursExceptionKind.MAINTENANCE, start=at(4, 12), end=at(4, 16, 30)
            ),
        ),
        timezone="Europe/Amsterdam",
        version=3,
    ),
    OperatingRoomRetired(room_id=ROOM, retired_at=at(31, 18), version=4),
    StaffMemberUpserted(
        staff_id=SURGEON,
        name="Dr Meredith Grey",
        role=StaffRole.SURGEON,
        specialties=("orthopaedics",),
        skills=("robotic_console",),
        working_pattern=WEEKDAYS,
        timezone="Europe/Amsterdam",
        absences=(TimeWindow(start=at(24, 0), end=at(27, 0)),),
        max_minutes_per_day=600,
        max_minutes_by_weekday={Weekday.FRIDAY: 240},
        max_minutes_by_date={at(26, 0).date(): 120},
        version=7,
    ),
    StaffMemberRetired(staff_id=SURGEON, retired_at=at(31, 18), version=8),
    EquipmentUpserted(
        equipment_id=C_ARM,
        name="Mobile C-arm",
        equipment_type="c_arm",
        units=(
            EquipmentUnit(
                unit_id=C_ARM_UNIT,
                label="C-arm 1",
                serial_number="SN-42-0001",
                maintenance_windows=(TimeWindow(start=at(9, 6), end=at(9, 10)),),
            ),
        ),
        mobile=True,
        turnaround_minutes=15,
        version=2,
    ),
    EquipmentRetired(equipment_id=C_ARM, retired_at=at(31, 18), version=3),
    BlockAllocated(
        block_id=BLOCK,
        room_id=ROOM,
        service="orthopaedics",
        recurrence=WeeklyRecurrence(
            weekdays=(Weekday.MONDAY, Weekday.THURSDAY), valid_from=date(2026, 11, 2)
        ),
        start_time="08:00",
        end_time="13:00",
        released_dates=(date(2026, 12, 7),),
        version=5,
    ),
    BlockReleased(
        block_id=BLOCK,
        occurrence_date=date(2026, 12, 7),
        released_by=COORDINATOR,
        released_at=at(1, 10),
        version=5,
    ),
)
