"""A request becomes the application's command whole: the audit record keeps what was sent."""

from __future__ import annotations

import uuid

import pytest
from resources_service.api.schemas.blocks import BlockCreate, BlockReleaseCreate
from resources_service.api.schemas.equipment import (
    EquipmentCreate,
    EquipmentUpdate,
    MaintenanceCreate,
    UnitUpdate,
)
from resources_service.api.schemas.rooms import RoomCreate, RoomExceptionCreate
from resources_service.api.schemas.staff import AbsenceCreate, StaffCreate
from resources_service.commands import details_of

HOURS = {"monday": [{"start": "07:30", "end": "17:30"}]}
WINDOW = {"start": "2027-03-29T08:00:00+02:00", "end": "2027-03-29T12:00:00+02:00"}
ROOM, UNIT, USER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

REQUESTS = [
    RoomCreate(
        code="OR-9",
        name="Hybrid theatre",
        location="Floor 3",
        capabilities=("cardiac", "robotic"),
        status="maintenance",
        weekly_hours=HOURS,
    ),
    RoomExceptionCreate(kind="closure", note="Deep clean", **WINDOW),
    StaffCreate(
        name="Dr Ana Lima",
        role="surgeon",
        specialties=("cardiac",),
        skills=("tavi",),
        working_pattern=HOURS,
        max_minutes_per_day=300,
        user_id=USER,
        status="inactive",
    ),
    AbsenceCreate(**WINDOW),
    EquipmentCreate(
        name="C-arm",
        equipment_type="c_arm",
        mobile=False,
        turnaround_minutes=20,
        units=[{"label": "One", "serial_number": "SN-1", "fixed_room_id": ROOM}],
    ),
    EquipmentUpdate(name="C-arm", equipment_type="c_arm", mobile=False, unit_rooms={UNIT: ROOM}),
    UnitUpdate(label="Two", serial_number="SN-2", fixed_room_id=ROOM, status="in_maintenance"),
    MaintenanceCreate(note="Service", **WINDOW),
    BlockCreate(
        room_id=ROOM,
        surgeon_id=USER,
        recurrence={"kind": "weekly", "weekdays": ["monday"], "valid_from": "2027-03-29"},
        start_time="08:00",
        end_time="12:00",
    ),
    BlockReleaseCreate(date="2027-04-05", reason="Congress"),
]


@pytest.mark.parametrize("request_body", REQUESTS, ids=lambda body: type(body).__name__)
def test_the_command_of_a_request_is_audited_as_the_request_was_sent(request_body):
    assert details_of(request_body.command()) == request_body.model_dump(mode="json")
