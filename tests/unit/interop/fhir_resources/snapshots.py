"""Hypothesis strategies for the resources snapshots the contracts allow, and plain examples."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from contracts.events.resources_blocks import BlockAllocated, WeeklyRecurrence
from contracts.events.resources_equipment import EquipmentUnit, EquipmentUpserted, UnitStatus
from contracts.events.resources_operating_rooms import (
    HoursExceptionKind,
    OperatingRoomUpserted,
    RoomHoursException,
    RoomStatus,
)
from contracts.events.resources_staff import StaffMemberUpserted, StaffStatus
from contracts.values import LocalTimeRange, Weekday, WeeklyHours
from contracts.vocabulary import StaffRole
from hypothesis import strategies as st

ZONES = ("Europe/Amsterdam", "America/New_York", "Asia/Kolkata", "UTC")
CLOCKS = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)] + ["24:00"]

# What a Name allows: 1 to 200 characters, no NUL, not only white space.
names = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), min_size=1, max_size=60
).filter(lambda text: text.strip())
terms = st.from_regex(r"^[a-z][a-z0-9_]{0,20}$", fullmatch=True)
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)


@st.composite
def day_ranges(draw: st.DrawFn) -> tuple[LocalTimeRange, ...]:
    cuts = sorted(draw(st.sets(st.sampled_from(CLOCKS), max_size=4)))
    pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
    return tuple(LocalTimeRange(start=a, end=b) for a, b in pairs)


@st.composite
def weekly_hours(draw: st.DrawFn) -> WeeklyHours:
    return WeeklyHours(**{day.value: draw(day_ranges()) for day in Weekday})


@st.composite
def windows(draw: st.DrawFn) -> tuple[datetime, datetime]:
    start = draw(moments)
    return start, start + timedelta(minutes=draw(st.integers(1, 60 * 24 * 3)))


@st.composite
def rooms(draw: st.DrawFn) -> OperatingRoomUpserted:
    exceptions = [
        RoomHoursException(start=s, end=e, kind=draw(st.sampled_from(HoursExceptionKind)))
        for s, e in draw(st.lists(windows(), max_size=3))
    ]
    retired = draw(st.booleans())
    return OperatingRoomUpserted(
        room_id=draw(st.uuids()),
        code=draw(st.from_regex(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,19}$", fullmatch=True)),
        name=draw(names),
        location=draw(st.none() | names),
        capabilities=tuple(draw(st.sets(terms, max_size=3))),
        status=RoomStatus.RETIRED if retired else draw(st.sampled_from(RoomStatus)),
        weekly_hours=draw(weekly_hours()),
        exceptions=tuple(exceptions),
        timezone=draw(st.sampled_from(ZONES)),
        version=draw(st.integers(1, 10_000)),
        retired_at=draw(moments) if retired else None,
    )


@st.composite
def staff(draw: st.DrawFn) -> StaffMemberUpserted:
    return StaffMemberUpserted(
        staff_id=draw(st.uuids()),
        name=draw(names),
        role=draw(st.sampled_from(StaffRole)),
        specialties=tuple(draw(st.sets(terms, max_size=3))),
        working_pattern=draw(weekly_hours()),
        timezone=draw(st.sampled_from(ZONES)),
        status=draw(st.sampled_from(StaffStatus)),
        version=draw(st.integers(1, 10_000)),
        retired_at=draw(st.none() | moments),
    )


@st.composite
def units(draw: st.DrawFn) -> EquipmentUnit:
    return EquipmentUnit(
        unit_id=draw(st.uuids()),
        label=draw(names.map(lambda text: text[:100])),
        serial_number=draw(st.none() | names.map(lambda text: text[:100])),
        status=draw(st.sampled_from(UnitStatus)),
        fixed_room_id=draw(st.none() | st.uuids()),
    )


@st.composite
def equipment(draw: st.DrawFn) -> EquipmentUpserted:
    made = draw(st.lists(units(), max_size=4, unique_by=lambda unit: unit.unit_id))
    return EquipmentUpserted(
        equipment_id=draw(st.uuids()),
        name=draw(names),
        equipment_type=draw(terms),
        units=tuple(made),
        mobile=draw(st.booleans()),
        version=draw(st.integers(1, 10_000)),
        retired_at=draw(st.none() | moments),
    )


def weekdays(start: str, end: str, zone: str = "Europe/Amsterdam") -> WeeklyHours:
    """Open `start` to `end` Monday to Friday."""
    hours = (LocalTimeRange(start=start, end=end),)
    return WeeklyHours(monday=hours, tuesday=hours, wednesday=hours, thursday=hours, friday=hours)


def room(**changes: object) -> OperatingRoomUpserted:
    fields: dict[str, object] = {
        "room_id": uuid.uuid4(),
        "code": "OR-7",
        "name": "Theatre 7",
        "weekly_hours": weekdays("08:00", "17:00"),
        "timezone": "Europe/Amsterdam",
        "version": 1,
    }
    return OperatingRoomUpserted(**{**fields, **changes})  # type: ignore[arg-type]


def block(room_id: uuid.UUID, **changes: object) -> BlockAllocated:
    fields: dict[str, object] = {
        "block_id": uuid.uuid4(),
        "room_id": room_id,
        "service": "orthopaedics",
        "recurrence": WeeklyRecurrence(weekdays=(Weekday.MONDAY,), valid_from=date(2026, 1, 1)),
        "start_time": "08:00",
        "end_time": "12:00",
        "version": 1,
    }
    return BlockAllocated(**{**fields, **changes})  # type: ignore[arg-type]
