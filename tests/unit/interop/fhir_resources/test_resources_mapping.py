"""Every snapshot of a room, a staff member or equipment the contracts allow maps to FHIR R4
resources that validate, and say what the snapshot says."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from contracts.events.resources_equipment import EquipmentUnit, EquipmentUpserted, UnitStatus
from contracts.events.resources_operating_rooms import RoomStatus
from contracts.events.resources_staff import StaffMemberUpserted
from contracts.vocabulary import StaffRole
from fhir.resources.R4B.device import Device
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.schedule import Schedule
from hypothesis import given, settings
from interop_service.domain.fhir_resources import (
    device_of,
    location_of,
    practitioner_of,
    practitioner_role_of,
    schedule_of,
)
from interop_service.domain.fhir_resources_codes import (
    IDENTIFIER_SYSTEM,
    SNOMED,
    STAFF_ROLE_SYSTEM,
    practitioner_role_id,
)

from tests.unit.interop.fhir_resources.snapshots import equipment, room, rooms, staff, weekdays

EXAMPLES = settings(max_examples=40, deadline=None)


def _round_trip(resource, model):
    """What a client reads: the JSON we send, parsed back by the R4B model."""
    return model.model_validate_json(resource.model_dump_json(by_alias=True, exclude_none=True))


@EXAMPLES
@given(rooms())
def test_every_room_is_a_valid_location_and_schedule(snapshot):
    location = _round_trip(location_of(snapshot), Location)
    schedule = _round_trip(schedule_of(snapshot), Schedule)
    assert location.id == schedule.id == str(snapshot.room_id)
    assert location.name == snapshot.name
    assert location.physicalType.coding[0].code == "ro"
    retired = snapshot.retired_at is not None or snapshot.status is RoomStatus.RETIRED
    assert (location.status == "inactive") == retired
    assert schedule.active == (location.status == "active")
    assert schedule.actor[0].reference == f"Location/{snapshot.room_id}"


@EXAMPLES
@given(staff())
def test_every_staff_member_is_a_valid_practitioner_in_a_valid_role(member):
    practitioner = _round_trip(practitioner_of(member), Practitioner)
    role = _round_trip(practitioner_role_of(member), PractitionerRole)
    assert practitioner.identifier[0].system == IDENTIFIER_SYSTEM
    assert practitioner.identifier[0].value == str(member.staff_id)
    assert practitioner.name[0].text == member.name
    assert role.id == str(practitioner_role_id(member.staff_id, member.role.value))
    assert role.practitioner.reference == f"Practitioner/{member.staff_id}"
    assert role.code[0].coding[0].system == STAFF_ROLE_SYSTEM
    assert role.code[0].coding[0].code == member.role.value
    active = member.status.value == "active" and member.retired_at is None
    assert practitioner.active is role.active is active


@EXAMPLES
@given(equipment())
def test_every_equipment_unit_is_a_valid_device(snapshot):
    for unit in snapshot.units:
        device = _round_trip(device_of(snapshot, unit), Device)
        assert device.id == str(unit.unit_id)
        assert device.type.coding[0].code == snapshot.equipment_type
        in_use = snapshot.retired_at is None and unit.status is UnitStatus.AVAILABLE
        assert device.status == ("active" if in_use else "inactive")
        assert device.serialNumber == unit.serial_number
        if unit.fixed_room_id:
            assert device.location.reference == f"Location/{unit.fixed_room_id}"


def test_a_room_in_maintenance_is_a_suspended_location_and_its_hours_are_local_times():
    location = location_of(room(status=RoomStatus.MAINTENANCE))
    assert location.status == "suspended"
    hours = location.hoursOfOperation[0]
    assert hours.daysOfWeek == ["mon", "tue", "wed", "thu", "fri"]
    assert (str(hours.openingTime), str(hours.closingTime)) == ("08:00:00", "17:00:00")


def test_a_day_open_to_midnight_closes_at_its_last_second_and_a_whole_day_is_all_day():
    evening = location_of(room(weekly_hours=weekdays("18:00", "24:00")))
    assert str(evening.hoursOfOperation[0].closingTime) == "23:59:59"
    always = location_of(room(weekly_hours=weekdays("00:00", "24:00")))
    assert always.hoursOfOperation[0].allDay is True


def test_surgeons_anaesthetists_and_nurses_carry_their_snomed_occupation_and_others_only_ours():
    codes = {}
    for role in StaffRole:
        member = StaffMemberUpserted(
            staff_id=uuid.uuid4(),
            name="Sam Example",
            role=role,
            working_pattern=weekdays("08:00", "16:00"),
            timezone="Europe/Amsterdam",
            version=1,
        )
        coding = practitioner_role_of(member).code[0].coding
        codes[role.value] = [c.code for c in coding if c.system == SNOMED]
    assert codes == {
        "surgeon": ["304292004"],
        "anaesthetist": ["158970007"],
        "scrub_nurse": ["106292003"],
        "circulating_nurse": ["106292003"],
        "perfusionist": [],
        "technician": [],
    }


def test_a_retired_equipments_units_are_inactive_devices_still_readable():
    unit = EquipmentUnit(unit_id=uuid.uuid4(), label="C-arm 2")
    retired = EquipmentUpserted(
        equipment_id=uuid.uuid4(),
        name="C-arm",
        equipment_type="c_arm",
        units=(unit,),
        mobile=True,
        version=3,
        retired_at=datetime(2026, 5, 1, tzinfo=UTC),
    )
    assert device_of(retired, unit).status == "inactive"
