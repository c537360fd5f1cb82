"""The search parameters of Location, Practitioner, PractitionerRole, Device and Schedule: what
each declares (the CapabilityStatement lists exactly these) and the conditions it puts on the
read model's tables."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import ColumnElement, false

from interop_service.db.fhir_resources import fhir_rooms, fhir_staff, fhir_units
from interop_service.domain.fhir_resources_codes import (
    EQUIPMENT_TYPE_SYSTEM,
    SNOMED,
    SNOMED_ROLES,
    STAFF_ROLE_SYSTEM,
)
from interop_service.fhir.common import (
    BOOLEAN_TOKEN,
    REGISTRY,
    ResourceCapability,
    SearchParam,
    SearchQuery,
    fhir_error,
    id_or_none,
    reference_id,
    token,
)
from interop_service.fhir.resources_store import name_matches

SPEC = "http://hl7.org/fhir/SearchParameter"
_ID = SearchParam("_id", "token", "The resource's id (our UUID); a comma list for several.")

LOCATION = REGISTRY.declare(
    ResourceCapability(
        type="Location",
        search_params=(
            _ID,
            SearchParam("name", "string", "The room's name.", f"{SPEC}/Location-name"),
            SearchParam(
                "status",
                "token",
                "active, suspended (in maintenance) or inactive (retired).",
                f"{SPEC}/Location-status",
                codes=("active", "suspended", "inactive"),
            ),
        ),
        documentation="Operating rooms.",
    )
)
PRACTITIONER = REGISTRY.declare(
    ResourceCapability(
        type="Practitioner",
        search_params=(
            _ID,
            SearchParam("name", "string", "The staff member's name.", f"{SPEC}/Practitioner-name"),
            SearchParam(
                "active",
                "token",
                "true for staff in service, false for inactive or retired.",
                f"{SPEC}/Practitioner-active",
                schema=BOOLEAN_TOKEN,
            ),
        ),
        documentation="Staff members.",
    )
)
PRACTITIONER_ROLE = REGISTRY.declare(
    ResourceCapability(
        type="PractitionerRole",
        search_params=(
            _ID,
            SearchParam(
                "practitioner",
                "reference",
                "The staff member (Practitioner/<id>).",
                f"{SPEC}/PractitionerRole-practitioner",
            ),
            SearchParam(
                "role",
                "token",
                f"The role: our code ({STAFF_ROLE_SYSTEM}) or its SNOMED CT occupation.",
                f"{SPEC}/PractitionerRole-role",
            ),
            SearchParam(
                "active",
                "token",
                "true for staff in service.",
                f"{SPEC}/PractitionerRole-active",
                schema=BOOLEAN_TOKEN,
            ),
        ),
        search_includes=("PractitionerRole:practitioner",),
        documentation="Each staff member in their role.",
    )
)
DEVICE = REGISTRY.declare(
    ResourceCapability(
        type="Device",
        search_params=(
            _ID,
            SearchParam(
                "type",
                "token",
                f"The equipment type ({EQUIPMENT_TYPE_SYSTEM}).",
                f"{SPEC}/Device-type",
            ),
            SearchParam(
                "status",
                "token",
                "active or inactive.",
                f"{SPEC}/Device-status",
                codes=("active", "inactive"),
            ),
            SearchParam(
                "location",
                "reference",
                "The room a fixed unit is installed in (Location/<id>).",
                f"{SPEC}/Device-location",
            ),
        ),
        documentation="Equipment units.",
    )
)
SCHEDULE = REGISTRY.declare(
    ResourceCapability(
        type="Schedule",
        search_params=(
            _ID,
            SearchParam(
                "actor", "reference", "The room (Location/<id>).", f"{SPEC}/Schedule-actor"
            ),
            SearchParam(
                "active",
                "token",
                "true for rooms in service.",
                f"{SPEC}/Schedule-active",
                schema=BOOLEAN_TOKEN,
            ),
        ),
        documentation="One per operating room: the room's time, as Slots.",
    )
)

Condition = ColumnElement[bool]
LOCATION_STATUSES = ("active", "suspended", "inactive")
DEVICE_STATUSES = ("active", "inactive")


def _ids(column: ColumnElement[uuid.UUID], values: list[str]) -> Condition | None:
    if not values:
        return None
    ids = [found for value in values if (found := id_or_none(value)) is not None]
    return column.in_(ids) if ids else false()


def _references(
    column: ColumnElement[uuid.UUID], values: list[str], resource_type: str
) -> Condition | None:
    if not values:
        return None
    ids = [found for value in values if (found := reference_id(value, resource_type))]
    return column.in_(ids) if ids else false()


def _names(column: ColumnElement[str], query: SearchQuery) -> list[Condition]:
    return [
        name_matches(column, modifier, value)
        for modifier in ("", "exact", "contains")
        for value in query.values(f"name:{modifier}" if modifier else "name")
    ]


def _flag(query: SearchQuery, name: str) -> bool | None:
    value = query.one(name)
    if value is None:
        return None
    if value not in ("true", "false"):
        raise fhir_error(400, f"{name} is true or false.", "invalid")
    return value == "true"


def _boolean(column: ColumnElement[bool], value: bool | None) -> Condition | None:
    return None if value is None else column.is_(value)


def _codes(values: list[str], system: str, known: Callable[[str], list[str]]) -> list[str]:
    """The codes of a token's values in `system` (or with no system), each read by `known`."""
    codes: list[str] = []
    for value in values:
        named, code = token(value)
        if named in (None, "", system):
            codes += known(code)
    return codes


def _present(*conditions: Condition | None) -> list[Condition]:
    return [c for c in conditions if c is not None]


def location_conditions(query: SearchQuery) -> list[Condition]:
    statuses = query.codes("status", LOCATION_STATUSES)
    return _present(
        _ids(fhir_rooms.c.room_id, query.any_of("_id")),
        *_names(fhir_rooms.c.name, query),
        fhir_rooms.c.status.in_(statuses) if statuses else None,
    )


def practitioner_conditions(query: SearchQuery) -> list[Condition]:
    return _present(
        _ids(fhir_staff.c.staff_id, query.any_of("_id")),
        *_names(fhir_staff.c.name, query),
        _boolean(fhir_staff.c.active, _flag(query, "active")),
    )


def _roles_of(values: list[str]) -> list[str]:
    ours = _codes(values, STAFF_ROLE_SYSTEM, lambda code: [code])
    by_snomed = _codes(
        values,
        SNOMED,
        lambda code: [role for role, (snomed, _) in SNOMED_ROLES.items() if snomed == code],
    )
    return ours + by_snomed


def practitioner_role_conditions(query: SearchQuery) -> list[Condition]:
    roles = query.any_of("role")
    return _present(
        _ids(fhir_staff.c.role_id, query.any_of("_id")),
        _references(fhir_staff.c.staff_id, query.any_of("practitioner"), "Practitioner"),
        fhir_staff.c.role.in_(_roles_of(roles) or [""]) if roles else None,
        _boolean(fhir_staff.c.active, _flag(query, "active")),
    )


def device_conditions(query: SearchQuery) -> list[Condition]:
    types = query.any_of("type")
    kinds = _codes(types, EQUIPMENT_TYPE_SYSTEM, lambda code: [code])
    statuses = query.codes("status", DEVICE_STATUSES)
    return _present(
        _ids(fhir_units.c.unit_id, query.any_of("_id")),
        fhir_units.c.equipment_type.in_(kinds or [""]) if types else None,
        fhir_units.c.status.in_(statuses) if statuses else None,
        _references(fhir_units.c.room_id, query.any_of("location"), "Location"),
    )


def schedule_conditions(query: SearchQuery) -> list[Condition]:
    active = _flag(query, "active")
    in_service = fhir_rooms.c.status == "active"
    return _present(
        _ids(fhir_rooms.c.room_id, query.any_of("_id")),
        _references(fhir_rooms.c.room_id, query.any_of("actor"), "Location"),
        None if active is None else in_service if active else ~in_service,
    )
