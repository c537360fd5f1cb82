"""Resources' snapshots as FHIR R4 resources: rooms as Location and Schedule, staff as
Practitioner and PractitionerRole, equipment units as Device.

Pure: a snapshot in, a validated `fhir.resources` R4B model out (constructing one validates
it). A retired entity stays readable, inactive.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from contracts.events.resources_equipment import EquipmentUnit, EquipmentUpserted, UnitStatus
from contracts.events.resources_operating_rooms import OperatingRoomUpserted, RoomStatus
from contracts.events.resources_staff import StaffMemberUpserted, StaffStatus
from contracts.values import LocalTimeRange, Weekday, WeeklyHours
from fhir.resources.R4B.device import Device
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.schedule import Schedule

from interop_service.domain.fhir_resources_codes import (
    EQUIPMENT_TYPE_SYSTEM,
    IDENTIFIER_SYSTEM,
    LOCATION_PHYSICAL_TYPE,
    ROOM_CAPABILITY_SYSTEM,
    ROOM_CODE_SYSTEM,
    SNOMED,
    SNOMED_ROLES,
    SPECIALTY_SYSTEM,
    STAFF_ROLE_SYSTEM,
    display,
    practitioner_role_id,
)

# Location.status of a room: maintenance suspends it, retirement ends it.
_LOCATION_STATUS = {
    RoomStatus.ACTIVE: "active",
    RoomStatus.MAINTENANCE: "suspended",
    RoomStatus.RETIRED: "inactive",
}
_DAY_CODES = {
    Weekday.MONDAY: "mon",
    Weekday.TUESDAY: "tue",
    Weekday.WEDNESDAY: "wed",
    Weekday.THURSDAY: "thu",
    Weekday.FRIDAY: "fri",
    Weekday.SATURDAY: "sat",
    Weekday.SUNDAY: "sun",
}


def location_status(room: OperatingRoomUpserted) -> str:
    return "inactive" if room.retired_at is not None else _LOCATION_STATUS[room.status]


def location_of(room: OperatingRoomUpserted) -> Location:
    resource: dict[str, Any] = {
        "id": str(room.room_id),
        "identifier": [
            _our_id(room.room_id),
            {"use": "secondary", "system": ROOM_CODE_SYSTEM, "value": room.code},
        ],
        "status": location_status(room),
        "name": room.name,
        "alias": [room.code] if room.code != room.name else None,
        "description": room.location,
        "mode": "instance",
        "type": [_concept(ROOM_CAPABILITY_SYSTEM, c) for c in room.capabilities] or None,
        "physicalType": {
            "coding": [{"system": LOCATION_PHYSICAL_TYPE, "code": "ro", "display": "Room"}]
        },
        "hoursOfOperation": _weekly(room.weekly_hours, "openingTime", "closingTime") or None,
    }
    return Location.model_validate(resource)


def schedule_of(room: OperatingRoomUpserted) -> Schedule:
    """The room's Schedule: its Slots are its free and booked time (`fhir_resources_slots`)."""
    return Schedule.model_validate(
        {
            "id": str(room.room_id),
            "identifier": [_our_id(room.room_id)],
            "active": location_status(room) == "active",
            "actor": [{"reference": f"Location/{room.room_id}", "display": room.name}],
            "comment": f"The operating time of room {room.code} ({room.timezone})",
        }
    )


def staff_active(member: StaffMemberUpserted) -> bool:
    return member.status == StaffStatus.ACTIVE and member.retired_at is None


def practitioner_of(member: StaffMemberUpserted) -> Practitioner:
    return Practitioner.model_validate(
        {
            "id": str(member.staff_id),
            "identifier": [_our_id(member.staff_id)],
            "active": staff_active(member),
            "name": [{"use": "official", "text": member.name}],
        }
    )


def role_coding(role: str) -> list[dict[str, str]]:
    """Our role's code, and SNOMED CT's occupation where a clean one exists."""
    codings = [{"system": STAFF_ROLE_SYSTEM, "code": role, "display": display(role)}]
    if role in SNOMED_ROLES:
        code, name = SNOMED_ROLES[role]
        codings.append({"system": SNOMED, "code": code, "display": name})
    return codings


def practitioner_role_of(member: StaffMemberUpserted) -> PractitionerRole:
    role = member.role.value
    return PractitionerRole.model_validate(
        {
            "id": str(practitioner_role_id(member.staff_id, role)),
            "active": staff_active(member),
            "practitioner": {
                "reference": f"Practitioner/{member.staff_id}",
                "display": member.name,
            },
            "code": [{"coding": role_coding(role), "text": display(role)}],
            "specialty": [_concept(SPECIALTY_SYSTEM, s) for s in member.specialties] or None,
            "availableTime": _weekly(
                member.working_pattern, "availableStartTime", "availableEndTime"
            )
            or None,
        }
    )


def device_active(equipment: EquipmentUpserted, unit: EquipmentUnit) -> bool:
    return equipment.retired_at is None and unit.status == UnitStatus.AVAILABLE


def device_of(equipment: EquipmentUpserted, unit: EquipmentUnit) -> Device:
    names = [{"name": unit.label, "type": "user-friendly-name"}]
    if equipment.name != unit.label:
        names.append({"name": equipment.name, "type": "other"})
    return Device.model_validate(
        {
            "id": str(unit.unit_id),
            "identifier": [_our_id(unit.unit_id)],
            "status": "active" if device_active(equipment, unit) else "inactive",
            "serialNumber": unit.serial_number,
            "deviceName": names,
            "type": {
                "coding": [
                    {
                        "system": EQUIPMENT_TYPE_SYSTEM,
                        "code": equipment.equipment_type,
                        "display": display(equipment.equipment_type),
                    }
                ],
                "text": equipment.name,
            },
            "location": {"reference": f"Location/{unit.fixed_room_id}"}
            if unit.fixed_room_id
            else None,
        }
    )


def _our_id(record_id: object) -> dict[str, str]:
    return {"use": "official", "system": IDENTIFIER_SYSTEM, "value": str(record_id)}


def _concept(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display(code)}]}


def _weekly(hours: WeeklyHours, opening: str, closing: str) -> list[dict[str, Any]]:
    """Weekly hours as FHIR's local times, days sharing a range in one entry. FHIR has no
    24:00: a range to the end of the day closes at 23:59:59, and a whole day is `allDay`."""
    days: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
    for weekday in Weekday:
        for hours_range in hours.on(weekday):
            days[hours_range.start, hours_range.end].append(_DAY_CODES[weekday])
    return [
        _times(LocalTimeRange(start=s, end=e), on, opening, closing) for (s, e), on in days.items()
    ]


def _times(hours: LocalTimeRange, on: list[str], opening: str, closing: str) -> dict[str, Any]:
    if hours.start == "00:00" and hours.end == "24:00":
        return {"daysOfWeek": on, "allDay": True}
    end = "23:59:59" if hours.end == "24:00" else f"{hours.end}:00"
    return {"daysOfWeek": on, opening: f"{hours.start}:00", closing: end}
