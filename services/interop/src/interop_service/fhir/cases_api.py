"""FHIR Appointment and ServiceRequest read and search: the read model of cases, as each reader
may see it (`domain/fhir_cases_access.py`), mapped by `domain/fhir_cases_fhir.py`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated
from zoneinfo import ZoneInfo

from contracts.events.scheduling_surgeries import SurgeryStatus
from fastapi import Depends, Request
from fhir.resources.R4B.resource import Resource
from servicekit.auth import Principal
from servicekit.deps import ReadSessionDep, RuntimeDep
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from interop_service.domain import fhir_cases_terms as terms
from interop_service.domain.fhir_cases_access import (
    CaseTies,
    Reader,
    Sight,
    appointment_sight,
    needs_own_cases,
    order_sight,
)
from interop_service.domain.fhir_cases_fhir import appointment, service_request
from interop_service.domain.fhir_cases_record import CaseRecord
from interop_service.domain.fhir_resources import location_of, practitioner_of
from interop_service.fhir import cases_store, resources_store
from interop_service.fhir.cases_store import CaseFilter
from interop_service.fhir.common import (
    REGISTRY,
    FhirReaderDep,
    ResourceCapability,
    SearchParam,
    SearchQuery,
    date_bound,
    fhir_error,
    fhir_response,
    fhir_router,
    not_found,
    read_id,
    reference_id,
    searching,
    searchset,
    token,
)
from interop_service.settings import InteropSettings

SightRule = Callable[[Reader, CaseTies], Sight]
ToResource = Callable[..., Resource | None]

router = fhir_router()
_SPEC = "http://hl7.org/fhir/SearchParameter"

APPOINTMENTS = REGISTRY.declare(
    ResourceCapability(
        type="Appointment",
        documentation="A booked case (id: the case id); a case never booked has none.",
        search_includes=("Appointment:location", "Appointment:practitioner"),
        search_params=(
            SearchParam(
                "date",
                "date",
                "The booked start: eq, ge, le, gt, lt; a date without a time is the hospital's "
                "local day. Repeat it for a range.",
                f"{_SPEC}/Appointment-date",
            ),
            SearchParam(
                "location", "reference", "Location/<room id>", f"{_SPEC}/Appointment-location"
            ),
            SearchParam(
                "practitioner",
                "reference",
                "Practitioner/<staff id>: the surgeon or anyone the booking assigns.",
                f"{_SPEC}/Appointment-practitioner",
            ),
            SearchParam(
                "status",
                "token",
                "booked, arrived, fulfilled, cancelled, noshow, waitlist.",
                f"{_SPEC}/Appointment-status",
            ),
            SearchParam(
                "patient:identifier",
                "token",
                f"The patient's MRN ({terms.MRN_SYSTEM}|<mrn>), among the cases whose patient "
                "the reader may see.",
            ),
        ),
    )
)
SERVICE_REQUESTS = REGISTRY.declare(
    ResourceCapability(
        type="ServiceRequest",
        documentation="A case as an order (id: the case id): the waiting list and beyond.",
        search_includes=("ServiceRequest:performer",),
        search_params=(
            SearchParam(
                "status",
                "token",
                "active, completed, revoked.",
                f"{_SPEC}/ServiceRequest-status",
            ),
            SearchParam(
                "performer",
                "reference",
                "Practitioner/<staff id> of the surgeon.",
                f"{_SPEC}/ServiceRequest-performer",
            ),
            SearchParam(
                "patient:identifier",
                "token",
                f"The patient's MRN ({terms.MRN_SYSTEM}|<mrn>), among the cases whose patient "
                "the reader may see.",
            ),
        ),
    )
)


async def reader_of(session: AsyncSession, principal: Principal) -> Reader:
    """The principal with the staff members linked to their user, read only when a rule needs
    them (clinicians)."""
    user_id = uuid.UUID(principal.user_id)
    if not needs_own_cases(principal.roles):
        return Reader(user_id, principal.roles)
    linked = await cases_store.linked_staff(session, user_id)
    return Reader(user_id, principal.roles, linked)


@router.get(
    "/Appointment/{appointment_id}",
    summary="Read an Appointment",
    response_description="The Appointment of a booked case.",
)
async def read_appointment(
    request: Request, appointment_id: str, session: ReadSessionDep, principal: FhirReaderDep
) -> Response:
    record = await _visible(session, "Appointment", appointment_id)
    sight = _sight_of(await reader_of(session, principal), record, appointment_sight)
    resource = appointment(record, show_patient=sight is Sight.FULL) if sight else None
    if resource is None:
        raise not_found("Appointment", appointment_id)
    return fhir_response(request, resource)


@router.get(
    "/Appointment",
    summary="Search Appointments",
    response_description="A searchset Bundle of Appointments, by start.",
    openapi_extra={"parameters": APPOINTMENTS.openapi_parameters()},
)
async def search_appointments(
    request: Request,
    session: ReadSessionDep,
    principal: FhirReaderDep,
    runtime: RuntimeDep[InteropSettings],
    query: Annotated[SearchQuery, Depends(searching(APPOINTMENTS))],
) -> Response:
    zone = ZoneInfo(runtime.settings.hospital_timezone)
    reader = await reader_of(session, principal)
    wanted = _appointment_filter(query, zone)
    page = await cases_store.appointments(session, wanted, reader, query.offset, query.count)
    matches = _resources(page.records, reader, appointment_sight, appointment)
    included = await _included(session, query, matches)
    return fhir_response(request, searchset(request, query, matches, page.total, included))


@router.get(
    "/ServiceRequest/{service_request_id}",
    summary="Read a ServiceRequest",
    response_description="A case as an order.",
)
async def read_service_request(
    request: Request, service_request_id: str, session: ReadSessionDep, principal: FhirReaderDep
) -> Response:
    record = await _visible(session, "ServiceRequest", service_request_id)
    sight = _sight_of(await reader_of(session, principal), record, order_sight)
    resource = service_request(record, show_patient=sight is Sight.FULL) if sight else None
    if resource is None:
        raise not_found("ServiceRequest", service_request_id)
    return fhir_response(request, resource)


@router.get(
    "/ServiceRequest",
    summary="Search ServiceRequests",
    response_description="A searchset Bundle of ServiceRequests, oldest first.",
    openapi_extra={"parameters": SERVICE_REQUESTS.openapi_parameters()},
)
async def search_service_requests(
    request: Request,
    session: ReadSessionDep,
    principal: FhirReaderDep,
    query: Annotated[SearchQuery, Depends(searching(SERVICE_REQUESTS))],
) -> Response:
    reader = await reader_of(session, principal)
    statuses = query.any_of("status")
    wanted = CaseFilter(
        performer_ids=_ids(query, "performer", "Practitioner"),
        order_statuses=tuple(s for v in statuses for s in _order_statuses(v)) if statuses else None,
        patient_mrns=_mrns(query),
    )
    page = await cases_store.orders(session, wanted, reader, query.offset, query.count)
    matches = _resources(page.records, reader, order_sight, service_request)
    included = await _included(session, query, matches)
    return fhir_response(request, searchset(request, query, matches, page.total, included))


async def _visible(session: AsyncSession, resource_type: str, resource_id: str) -> CaseRecord:
    record = await cases_store.find(session, read_id(resource_type, resource_id))
    if record is None:
        raise not_found(resource_type, resource_id)
    return record


def _sight_of(reader: Reader, record: CaseRecord, rule: SightRule) -> Sight | None:
    """How `reader` sees the case, or None when not at all (answered as unknown)."""
    ties = cases_store.ties_of(record)
    sight = rule(reader, ties) if ties is not None else Sight.HIDDEN
    return None if sight is Sight.HIDDEN else sight


def _resources(
    records: list[CaseRecord], reader: Reader, rule: SightRule, mapping: ToResource
) -> list[Resource]:
    found: list[Resource] = []
    for record in records:
        sight = _sight_of(reader, record, rule)
        resource = mapping(record, show_patient=sight is Sight.FULL) if sight else None
        if resource is not None:
            found.append(resource)
    return found


_INCLUDED_TYPES = {
    "Appointment:location": "Location",
    "Appointment:practitioner": "Practitioner",
    "ServiceRequest:performer": "Practitioner",
}


async def _included(
    session: AsyncSession, query: SearchQuery, matches: list[Resource]
) -> list[Resource]:
    """The Locations and Practitioners the matches refer to, when `_include` asks for them."""
    wanted = {_INCLUDED_TYPES[name] for name in query.includes}
    if not wanted:
        return []
    referred = _references(matches)
    included: list[Resource] = []
    if "Location" in wanted:
        rooms = await resources_store.rooms_by_id(session, referred.get("Location", []))
        included += [location_of(room) for room in rooms.values()]
    if "Practitioner" in wanted:
        staff = await resources_store.staff_by_id(session, referred.get("Practitioner", []))
        included += [practitioner_of(member) for member in staff.values()]
    return included


def _references(matches: list[Resource]) -> dict[str, list[uuid.UUID]]:
    """The ids each resource type is referred to by in the matches, once each, in order."""
    found: dict[str, dict[uuid.UUID, None]] = {}
    for resource in matches:
        references = [p.actor.reference for p in getattr(resource, "participant", None) or []]
        references += [r.reference for r in getattr(resource, "performer", None) or []]
        for reference in filter(None, references):
            kind, _, named = reference.partition("/")
            found.setdefault(kind, {})[uuid.UUID(named)] = None
    return {kind: list(ids) for kind, ids in found.items()}


def _appointment_filter(query: SearchQuery, zone: ZoneInfo) -> CaseFilter:
    bounds = [date_bound("date", value, zone) for value in query.values("date")]
    statuses = query.any_of("status")
    unknown = [s for s in statuses if s not in _APPOINTMENT_STATUSES]
    if unknown:
        known = ", ".join(sorted(_APPOINTMENT_STATUSES))
        raise fhir_error(400, f"status={unknown[0]!r} is not one we give (known: {known}).")
    return CaseFilter(
        starts_from=tuple(b for b in (bound.lower() for bound in bounds) if b is not None),
        starts_before=tuple(b for b in (bound.upper() for bound in bounds) if b is not None),
        room_ids=_ids(query, "location", "Location"),
        practitioner_ids=_ids(query, "practitioner", "Practitioner"),
        appointment_statuses=tuple(statuses) if statuses else None,
        patient_mrns=_mrns(query),
    )


_APPOINTMENT_STATUSES = frozenset(
    {"booked", "arrived", "fulfilled", "cancelled", "noshow", "waitlist"}
)


def _order_statuses(value: str) -> frozenset[SurgeryStatus]:
    statuses = terms.order_statuses_of(value)
    if not statuses:
        raise fhir_error(
            400, f"status={value!r} is not one we give (known: active, completed, revoked)."
        )
    return statuses


def _ids(query: SearchQuery, name: str, resource_type: str) -> tuple[uuid.UUID, ...] | None:
    """The ids a reference parameter names (None: not asked); one that cannot be ours matches
    nothing."""
    values = query.any_of(name)
    if not values:
        return None
    named = (reference_id(value, resource_type) for value in values)
    return tuple(found for found in named if found is not None)


def _mrns(query: SearchQuery) -> tuple[str, ...] | None:
    """The MRNs `patient:identifier` names (None: not asked); another system matches nothing."""
    values = query.any_of("patient:identifier")
    if not values:
        return None
    tokens = [token(value) for value in values]
    return tuple(code for system, code in tokens if system in (None, terms.MRN_SYSTEM) and code)
