"""FHIR Location, Practitioner, PractitionerRole, Device and Schedule read and search, the
Slots (`slots_api`), and the CapabilityStatement of every FHIR part (`GET /fhir/metadata`)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.types import DecoratedCallable
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.resource import Resource
from servicekit.deps import ReadSessionDep
from starlette.responses import Response

from interop_service.db.fhir_resources import fhir_staff
from interop_service.domain.fhir_resources import (
    device_of,
    location_of,
    practitioner_of,
    practitioner_role_of,
    schedule_of,
)
from interop_service.fhir import resources_store as store
from interop_service.fhir import slots_api
from interop_service.fhir.common import (
    FHIR_JSON,
    FHIR_VERSION,
    REGISTRY,
    SEARCH_RESPONSES,
    SMART_SCOPES,
    FhirReaderDep,
    ResourceCapability,
    SearchQuery,
    answers,
    fhir_base,
    fhir_response,
    fhir_router,
    not_found,
    read_id,
    read_responses,
    searching,
    searchset,
)
from interop_service.fhir.resources_search import (
    DEVICE,
    LOCATION,
    PRACTITIONER,
    PRACTITIONER_ROLE,
    SCHEDULE,
    device_conditions,
    location_conditions,
    practitioner_conditions,
    practitioner_role_conditions,
    schedule_conditions,
)
from interop_service.fhir.resources_store import Page

router = fhir_router()


def _search_route(
    capability: ResourceCapability, summary: str
) -> Callable[[DecoratedCallable], DecoratedCallable]:
    return router.get(
        f"/{capability.type}",
        summary=summary,
        responses=SEARCH_RESPONSES,
        openapi_extra={"parameters": capability.openapi_parameters()},
    )


def _read_route(
    capability: ResourceCapability, summary: str
) -> Callable[[DecoratedCallable], DecoratedCallable]:
    return router.get(
        f"/{capability.type}/{{resource_id}}",
        summary=summary,
        responses=read_responses(capability.type),
    )


LocationSearch = Annotated[SearchQuery, Depends(searching(LOCATION))]
ScheduleSearch = Annotated[SearchQuery, Depends(searching(SCHEDULE))]
PractitionerSearch = Annotated[SearchQuery, Depends(searching(PRACTITIONER))]
PractitionerRoleSearch = Annotated[SearchQuery, Depends(searching(PRACTITIONER_ROLE))]
DeviceSearch = Annotated[SearchQuery, Depends(searching(DEVICE))]


async def _read_one(
    request: Request,
    resource_type: str,
    resource_id: str,
    find: Callable[[uuid.UUID], Awaitable[Resource | None]],
) -> Response:
    found = await find(read_id(resource_type, resource_id))
    if found is None:
        raise not_found(resource_type, resource_id)
    return fhir_response(request, found)


def _bundle(
    request: Request,
    query: SearchQuery,
    matches: Sequence[Resource],
    total: int,
    included: Sequence[Resource] = (),
) -> Response:
    return fhir_response(request, searchset(request, query, matches, total, included))


@_search_route(LOCATION, "Search the operating rooms as Locations")
async def search_locations(
    request: Request, query: LocationSearch, session: ReadSessionDep, _: FhirReaderDep
) -> Response:
    rooms, total = await store.rooms(session, location_conditions(query), _page(query))
    return _bundle(request, query, [location_of(room) for room in rooms], total)


@_read_route(LOCATION, "An operating room as a Location")
async def read_location(
    request: Request, resource_id: str, session: ReadSessionDep, _: FhirReaderDep
) -> Response:
    async def find(room_id: uuid.UUID) -> Resource | None:
        room = (await store.rooms_by_id(session, [room_id])).get(room_id)
        return location_of(room) if room else None

    return await _read_one(request, "Location", resource_id, find)


@_search_route(SCHEDULE, "Search the rooms' Schedules")
async def search_schedules(
    request: Request, query: ScheduleSearch, session: ReadSessionDep, _: FhirReaderDep
) -> Response:
    rooms, total = await store.rooms(session, schedule_conditions(query), _page(query))
    return _bundle(request, query, [schedule_of(room) for room in rooms], total)


@_read_route(SCHEDULE, "A room's Schedule (its id is the room's)")
async def read_schedule(
    request: Request, resource_id: str, session: ReadSessionDep, _: FhirReaderDep
) -> Response:
    async def find(room_id: uuid.UUID) -> Resource | None:
        room = (await store.rooms_by_id(session, [room_id])).get(room_id)
        return schedule_of(room) if room else None

    return await _read_one(request, "Schedule", resource_id, find)


@_search_route(PRACTITIONER, "Search the staff as Practitioners")
async def search_practitioners(
    request: Request, query: PractitionerSearch, session: ReadSessionDep, _: FhirReaderDep
) -> Response:
    members, total = await store.staff(session, practitioner_conditions(query), _page(query))
    return _bundle(request, query, [practitioner_of(member) for member in members], total)


@_read_route(PRACTITIONER, "A staff member as a Practitioner")
async def read_practitioner(
    request: Request, resource_id: str, session: ReadSessionDep, _: FhirReaderDep
) -> Response:
    async def find(staff_id: uuid.UUID) -> Resource | None:
        member = (await store.staff_by_id(session, [staff_id])).get(staff_id)
        return practitioner_of(member) if member else None

    return await _read_one(request, "Practitioner", resource_id, find)


@_search_route(PRACTITIONER_ROLE, "Search the staff's roles as PractitionerRoles")
async def search_practitioner_roles(
    request: Request, query: PractitionerRoleSearch, session: ReadSessionDep, _: FhirReaderDep
) -> Response:
    members, total = await store.staff(session, practitioner_role_conditions(query), _page(query))
    included = (
        [practitioner_of(member) for member in members]
        if "PractitionerRole:practitioner" in query.includes
        else []
    )
    roles = [practitioner_role_of(member) for member in members]
    return _bundle(request, query, roles, total, included)


@_read_route(PRACTITIONER_ROLE, "A staff member's role as a PractitionerRole")
async def read_practitioner_role(
    request: Request, resource_id: str, session: ReadSessionDep, _: FhirReaderDep
) -> Response:
    async def find(role_id: uuid.UUID) -> Resource | None:
        members, _ = await store.staff(session, [fhir_staff.c.role_id == role_id], Page(0, 1))
        return practitioner_role_of(members[0]) if members else None

    return await _read_one(request, "PractitionerRole", resource_id, find)


@_search_route(DEVICE, "Search the equipment units as Devices")
async def search_devices(
    request: Request, query: DeviceSearch, session: ReadSessionDep, _: FhirReaderDep
) -> Response:
    units, total = await store.units(session, device_conditions(query), _page(query))
    return _bundle(request, query, [device_of(equipment, unit) for equipment, unit in units], total)


@_read_route(DEVICE, "An equipment unit as a Device")
async def read_device(
    request: Request, resource_id: str, session: ReadSessionDep, _: FhirReaderDep
) -> Response:
    async def find(unit_id: uuid.UUID) -> Resource | None:
        found = await store.units_by_id(session, [unit_id])
        return device_of(*found[0]) if found else None

    return await _read_one(request, "Device", resource_id, find)


def _page(query: SearchQuery) -> Page:
    return Page(query.offset, query.count)


slots_api.register(router)


@router.get(
    "/metadata",
    summary="The CapabilityStatement: exactly the resources, interactions and searches served",
    responses=answers("CapabilityStatement", "What this server serves."),
)
async def capability_statement(request: Request) -> Response:
    return fhir_response(request, capabilities(fhir_base(request)))


SECURITY = (
    "Bearer access tokens of the platform's auth service (the same tokens and roles as every "
    "other API). Scopes are not requested per client: a role amounts to SMART-on-FHIR scopes: "
    + "; ".join(f"{role}: {' '.join(scopes)}" for role, scopes in SMART_SCOPES.items())
    + ". No SMART launch, no .well-known/smart-configuration."
)


def capabilities(base: str) -> CapabilityStatement:
    """Built from the registry every FHIR router declares into: what is listed is what works."""
    return CapabilityStatement.model_validate(
        {
            "status": "active",
            "date": datetime.now(UTC).isoformat(),
            "kind": "instance",
            "software": {"name": "Surgery scheduling platform, interop service"},
            "implementation": {"description": "Operating room scheduling", "url": base},
            "fhirVersion": FHIR_VERSION,
            "format": ["json", FHIR_JSON],
            "rest": [
                {
                    "mode": "server",
                    "security": {
                        "service": [
                            {
                                "coding": [
                                    {
                                        "system": "http://terminology.hl7.org/CodeSystem/"
                                        "restful-security-service",
                                        "code": "OAuth",
                                    }
                                ]
                            }
                        ],
                        "description": SECURITY,
                    },
                    "resource": [_resource(c) for c in REGISTRY.all()],
                }
            ],
        }
    )


def _resource(capability: ResourceCapability) -> dict[str, Any]:
    return {
        "type": capability.type,
        "documentation": capability.documentation or None,
        "interaction": [{"code": code} for code in capability.interactions],
        "searchParam": [
            {
                "name": p.name,
                "type": p.type,
                "definition": p.definition,
                "documentation": p.documentation,
            }
            for p in capability.search_params
        ]
        or None,
        "searchInclude": list(capability.search_includes) or None,
    }
