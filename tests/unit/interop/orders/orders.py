"""A valid surgical ServiceRequest to change one element at a time."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from interop_service.domain import orders_terms as terms

SURGEON = str(uuid.UUID(int=7))


def order(**changes: Any) -> dict[str, Any]:
    """An order every rule accepts, with `changes` (None deletes an element)."""
    document: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "active",
        "intent": "order",
        "identifier": [{"system": "urn:oid:1.2.3.4", "value": "ORD-1"}],
        "category": [{"coding": [{"system": terms.SNOMED, "code": terms.SURGICAL_PROCEDURE}]}],
        "code": {
            "coding": [{"system": terms.SNOMED, "code": "80146002", "display": "Appendectomy"}]
        },
        "subject": {"identifier": {"system": "urn:oid:1.2.3.5", "value": "MRN-0012345"}},
        "performer": [{"reference": f"Practitioner/{SURGEON}"}],
        "priority": "urgent",
        "occurrencePeriod": {"start": "2027-03-01", "end": "2027-03-31"},
        "extension": [
            {"url": terms.EXPECTED_DURATION, "valueDuration": _minutes(90)},
            {"url": terms.SPECIALTY, "valueCode": "general_surgery"},
            {"url": terms.ANAESTHESIA_TYPE, "valueCode": "general"},
        ],
    }
    for name, value in changes.items():
        if value is None:
            document.pop(name, None)
        else:
            document[name] = value
    return copy.deepcopy(document)


def with_extension(document: dict[str, Any], url: str, **value: Any) -> dict[str, Any]:
    """`document` with its extension `url` replaced by `value` (none given: removed)."""
    kept = [e for e in document["extension"] if e["url"] != url]
    document["extension"] = kept + ([{"url": url, **value}] if value else [])
    return document


def _minutes(count: float, unit: str = "min") -> dict[str, Any]:
    return {"value": count, "unit": unit, "system": terms.UCUM, "code": unit}


minutes = _minutes
