"""FHIR Appointment and ServiceRequest read and search: the read model of cases, as each reader
may see it (`domain/fhir_cases_access.py`), mapped by `domain/fhir_cases_fhir.py`."""

from __future__ import annotations

import uuid
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from servicekit.auth import Principal
from servicekit.deps import ReadSessionDep, RuntimeDep
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from interop_service.domain import fhir_cases_terms as terms
from interop_service.domain.fhir_cases_access import (
    Reader,
    appointment_sight,
    needs_own_cases,
    order_sight,
)
from interop_service.fhir import cases_queries
from interop_service.fhir.cases_search import (
    appointment_filter,
    as_seen,
    bundle,
    entry_url,
    order_filter,
)
from interop_service.fhir.common import (
    REGISTRY,
    SEARCH_RESPONSES,
    FhirReaderDep,
    ResourceCapability,
    SearchParam,
    SearchQuery,
    fhir_router,
    negotiated_media_type,
    not_found,
    read_id,
    read_responses,
    searching,
)
from interop_service.settings import InteropSettings

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
    linked = await cases_queries.linked_staff(session, user_id)
    return Reader(user_id, principal.roles, linked)


@router.get(
    "/Appointment/{appointment_id}",
    summary="Read an Appointment",
    responses=read_responses("Appointment"),
)
async def read_appointment(
    request: Request, appointment_id: str, session: ReadSessionDep, principal: FhirReaderDep
) -> Response:
    case_id = read_id("Appointment", appointment_id)
    reader = await reader_of(session, principal)
    shown = await cases_queries.shown(session, "appointment", case_id, reader)
    document = as_seen(reader, shown, appointment_sight) if shown else None
    if document is None:
        raise not_found("Appointment", appointment_id)
    return answer(request, document)


@router.get(
    "/Appointment",
    summary="Search Appointments (by start)",
    responses=SEARCH_RESPONSES,
    openapi_extra={"parameters": APPOINTMENTS.openapi_parameters()},
)
async def search_appointments(
    request: Request,
    session: ReadSessionDep,
    principal: FhirReaderDep,
    runtime: RuntimeDep[InteropSettings],
    query: Annotated[SearchQuery, Depends(searching(APPOINTMENTS))],
) -> Response:
    wanted = appointment_filter(query, ZoneInfo(runtime.settings.hospital_timezone))
    reader = await reader_of(session, principal)
    url = entry_url(request, query)
    page = await cases_queries.appointments(session, wanted, reader, query.offset, query.count, url)
    return answer(request, await bundle(request, session, query, page))


@router.get(
    "/ServiceRequest/{service_request_id}",
    summary="Read a ServiceRequest (a case as an order)",
    responses=read_responses("ServiceRequest"),
)
async def read_service_request(
    request: Request, service_request_id: str, session: ReadSessionDep, principal: FhirReaderDep
) -> Response:
    case_id = read_id("ServiceRequest", service_request_id)
    reader = await reader_of(session, principal)
    shown = await cases_queries.shown(session, "order", case_id, reader)
    document = as_seen(reader, shown, order_sight) if shown else None
    if document is None:
        raise not_found("ServiceRequest", service_request_id)
    return answer(request, document)


@router.get(
    "/ServiceRequest",
    summary="Search ServiceRequests (oldest first)",
    responses=SEARCH_RESPONSES,
    openapi_extra={"parameters": SERVICE_REQUESTS.openapi_parameters()},
)
async def search_service_requests(
    request: Request,
    session: ReadSessionDep,
    principal: FhirReaderDep,
    query: Annotated[SearchQuery, Depends(searching(SERVICE_REQUESTS))],
) -> Response:
    wanted = order_filter(query)
    reader = await reader_of(session, principal)
    url = entry_url(request, query)
    page = await cases_queries.orders(session, wanted, reader, query.offset, query.count, url)
    return answer(request, await bundle(request, session, query, page))


def answer(request: Request, document: str) -> Response:
    """A stored resource or Bundle (its resources validated when rendered), as the client's
    JSON media type."""
    media = getattr(request.state, "fhir_media_type", None) or negotiated_media_type(request)
    return Response(document, media_type=media)
