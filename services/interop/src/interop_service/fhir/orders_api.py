"""FHIR ServiceRequest create: an EHR places a surgical order on the waiting list.

`POST /fhir/ServiceRequest` takes an R4 ServiceRequest (application/fhir+json), maps it to a
surgery request (`domain/orders_mapping.py`, the rules of `POST /surgeries`), stores it and
announces it to scheduling (`orders_placing.py`). `201` with `Location:
/fhir/ServiceRequest/<case id>` and the ServiceRequest as stored; the same placer number again
(or `If-None-Exist: identifier=[system|]value` naming one placed before) is `200` with that
order, never a second case. What cannot be mapped is a `422` OperationOutcome whose issues name
each element by FHIRPath (`expression`).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from contracts.events.interop_service_requests import PlacerIdentifier
from fastapi import Header, Request
from pydantic import ValidationError
from servicekit.deps import UnitOfWorkDep
from starlette.responses import Response

from interop_service.domain.orders_mapping import Order, OrderRefused, read_order
from interop_service.fhir import orders_placing
from interop_service.fhir.common import (
    FHIR_JSON,
    REGISTRY,
    FhirOrdererDep,
    ResourceCapability,
    answers,
    fhir_error,
    fhir_response,
    fhir_router,
    token,
)
from interop_service.fhir.orders_placing import ReadModelStaff, StaffDirectory

router = fhir_router()

REGISTRY.declare(
    ResourceCapability(
        type="ServiceRequest",
        interactions=("create",),
        documentation=(
            "create: a surgical order (category SNOMED CT 387713003, intent order, status "
            "active) becomes a waiting-list case; conditional create by identifier "
            "(If-None-Exist) and by the placer's number."
        ),
    )
)
# The read model of staff that orders are checked against (see `orders_placing`).
STAFF: StaffDirectory = ReadModelStaff()
_MOST_BYTES = 256 * 1024
_BODY = {
    "requestBody": {
        "required": True,
        "description": "A FHIR R4 ServiceRequest; docs/services/interop.md maps its elements.",
        "content": {
            FHIR_JSON: {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}
_PLACED_BEFORE = answers("ServiceRequest", "The order placed before under the same placer number.")
_ANSWERS: dict[int | str, dict[str, Any]] = {
    **_PLACED_BEFORE,
    201: {
        "description": "Placed: the ServiceRequest as stored, its id the case's.",
        "content": _PLACED_BEFORE[200]["content"],
        "headers": {
            "Location": {
                "description": "/fhir/ServiceRequest/<case id>",
                "required": True,
                "schema": {"type": "string"},
            }
        },
    },
    400: {"description": "The body is not a JSON object."},
    403: {"description": "Not a role that requests surgeries, or another surgeon's case."},
    413: {"description": f"An order of more than {_MOST_BYTES:,} bytes."},
    415: {"description": "Not application/fhir+json or application/json."},
    422: {"description": "An element that cannot be mapped or breaks a rule, by FHIRPath."},
}


@router.post(
    "/ServiceRequest",
    status_code=201,
    summary="Place a surgical order: a FHIR ServiceRequest becomes a waiting-list case",
    openapi_extra=_BODY,
    responses=_ANSWERS,
)
async def create_service_request(
    request: Request,
    placer: FhirOrdererDep,
    uow: UnitOfWorkDep,
    if_none_exist: Annotated[
        str | None,
        Header(
            description="identifier=[system|]value: answer that order if it was placed.",
            pattern=r"^identifier=.+$",
            max_length=500,
        ),
    ] = None,
) -> Response:
    named = _named(if_none_exist) if if_none_exist is not None else None
    if named is not None:
        before = await orders_placing.find(uow.session, named)
        if before is not None:
            return _answer(request, orders_placing.existing(before))
    order = _order(await _document(request))
    placed = await orders_placing.place(uow, order, placer=placer, staff=STAFF)
    return _answer(request, placed)


def _answer(request: Request, placed: orders_placing.Placed) -> Response:
    return fhir_response(
        request,
        placed.resource,
        status_code=201 if placed.created else 200,
        headers={"Location": f"/fhir/ServiceRequest/{placed.case_id}", "ETag": 'W/"1"'},
    )


async def _document(request: Request) -> dict[str, Any]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in (FHIR_JSON, "application/json", "application/json+fhir"):
        raise fhir_error(415, "Send the ServiceRequest as application/fhir+json.", "not-supported")
    body = await request.body()
    if len(body) > _MOST_BYTES:
        raise fhir_error(413, f"An order is at most {_MOST_BYTES:,} bytes.", "too-costly")
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise fhir_error(400, "The body is not JSON.", "invalid") from None
    if not isinstance(document, dict):
        raise fhir_error(400, "The body must be a JSON object: a ServiceRequest.", "invalid")
    return document


def _order(document: dict[str, Any]) -> Order:
    try:
        return read_order(document)
    except OrderRefused as refused:
        raise orders_placing.refused(refused.issues) from None


def _named(header: str) -> PlacerIdentifier | None:
    """`If-None-Exist: identifier=[system|]value`, the only search a conditional create takes
    (the header's pattern holds); None for an identifier no order can have been placed under."""
    system, code = token(header.partition("=")[2])
    try:
        return PlacerIdentifier(system=system or None, value=code)
    except ValidationError:
        return None
