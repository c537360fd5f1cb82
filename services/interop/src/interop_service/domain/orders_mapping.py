"""A FHIR R4 ServiceRequest read as a surgery request: what maps, and where what does not.

`read_order` validates the document with the R4B model, then maps it element by element to the
fields of `contracts.events.surgery_request` (the very model behind `POST /surgeries`), which judges
them. Everything that is refused is an `OrderIssue` naming the element by its FHIRPath, so an
order is either a case or a list of what to fix, never a crash.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contracts.events.interop_service_requests import PlacerIdentifier
from contracts.events.surgery_request import SurgeryRequestFields
from fhir.resources.R4B.servicerequest import ServiceRequest
from pydantic import ValidationError

from interop_service.domain import orders_terms as terms
from interop_service.domain.orders_elements import Elements, OrderIssue


@dataclass(frozen=True, slots=True)
class Order:
    """An order as our contract says it: the case asked for, and the placer's order number."""

    placer: PlacerIdentifier
    request: SurgeryRequestFields
    resource: dict[str, Any]  # the ServiceRequest as validated, in FHIR JSON


class OrderRefused(ValueError):
    """The order cannot become a case; `issues` name each element and why."""

    def __init__(self, issues: list[OrderIssue]) -> None:
        super().__init__("; ".join(f"{i.expression}: {i.diagnostics}" for i in issues))
        self.issues = issues


def read_order(document: Mapping[str, Any]) -> Order:
    """The order a ServiceRequest document places; `OrderRefused` naming every element that
    breaks FHIR R4, is not ours to map, or breaks a rule of a surgery request."""
    resource = _validated(document)
    elements = Elements(resource)
    fields = _fields(elements)
    placer = _placer(elements)
    elements.refuse_unmapped()
    if elements.issues:
        raise OrderRefused(elements.issues)
    assert placer is not None  # a missing identifier is an issue above
    return Order(placer, _judged(fields, elements.sources), resource)


def _validated(document: Mapping[str, Any]) -> dict[str, Any]:
    if document.get("resourceType") != "ServiceRequest":
        given = document.get("resourceType")
        raise OrderRefused(
            [OrderIssue("ServiceRequest.resourceType", f"must be ServiceRequest, not {given!r}")]
        )
    try:
        model = ServiceRequest.model_validate(dict(document))
    except ValidationError as error:
        raise OrderRefused(
            [
                OrderIssue(
                    terms.fhirpath(tuple(e["loc"])), e["msg"], missing=e["type"] == "missing"
                )
                for e in error.errors()
            ]
        ) from None
    dumped: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped


def _fields(at: Elements) -> dict[str, Any]:
    """Our fields from the elements that carry them; what is missing or wrong is an issue."""
    at.require_code("status", "active", "only an active order places a case")
    at.require_code("intent", "order", "only an order (not a proposal or plan) places a case")
    at.require_surgical_category()
    if at.take("doNotPerform") is True:
        at.refuse("ServiceRequest.doNotPerform", "an order not to perform places no case")
    fields: dict[str, Any] = {
        "patient_mrn": at.patient_mrn(),
        "procedure": at.procedure(),
        "surgeon_id": at.surgeon_id(),
        "priority": at.priority(),
        "specialty": at.extension_code(terms.SPECIALTY, required=True),
        "anaesthesia_type": at.extension_code(terms.ANAESTHESIA_TYPE, required=True),
        "expected_duration_minutes": at.extension_minutes(terms.EXPECTED_DURATION, required=True),
        "setup_minutes": at.extension_minutes(terms.SETUP_DURATION),
        "cleanup_minutes": at.extension_minutes(terms.CLEANUP_DURATION),
        "required_capabilities": at.extension_codes(terms.REQUIRED_CAPABILITY),
        "equipment_types": at.extension_codes(terms.EQUIPMENT_TYPE),
        "staff_roles_needed": _counted(at.extension_codes(terms.STAFF_ROLE_NEEDED)),
        "notes": at.notes(),
        **at.dates(),
    }
    at.refuse_foreign_in_our_namespace()
    return {name: value for name, value in fields.items() if value is not None}


def _counted(roles: list[str] | None) -> list[dict[str, Any]] | None:
    """One extension per person needed, as our counts per role, in the order first named."""
    if roles is None:
        return None
    return [{"role": role, "count": roles.count(role)} for role in dict.fromkeys(roles)]


def _placer(at: Elements) -> PlacerIdentifier | None:
    found = at.placer_identifier()
    if found is None:
        return None
    try:
        return PlacerIdentifier(system=found.get("system"), value=found.get("value", ""))
    except ValidationError as error:
        at.refuse("ServiceRequest.identifier", _reasons(error))
        return None


def _judged(fields: dict[str, Any], sources: Mapping[str, str]) -> SurgeryRequestFields:
    """The request as the shared contract judges it; each refusal named by its element."""
    try:
        return SurgeryRequestFields.model_validate(fields)
    except ValidationError as error:
        raise OrderRefused(
            [
                OrderIssue(
                    _source(tuple(e["loc"]), sources), _plain(e["msg"]), e["type"] == "missing"
                )
                for e in error.errors()
            ]
        ) from None


def _source(loc: tuple[int | str, ...], sources: Mapping[str, str]) -> str:
    """The element a contract field came from: the most specific one recorded."""
    for end in range(len(loc), 0, -1):
        key = ".".join(str(part) for part in loc[:end])
        if key in sources:
            return sources[key]
    return sources.get("", "ServiceRequest")


def _plain(message: str) -> str:
    return re.sub(r"^(Value error|Assertion failed), ", "", message)


def _reasons(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {_plain(e['msg'])}" for e in error.errors()
    )
