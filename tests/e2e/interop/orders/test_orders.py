"""FHIR orders through the gateway: an EHR posts a ServiceRequest to /fhir/ and the case is on
scheduling's waiting list seconds later; a bad order and a role that may not order are answered
with OperationOutcomes."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
from fhir.resources.R4B.servicerequest import ServiceRequest

from tests.e2e.scheduling.conftest import SURGERIES, World
from tests.unit.interop.orders.orders import order

ORDERS = "/fhir/ServiceRequest"


def _fhir(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Content-Type": "application/fhir+json", "Accept": "application/fhir+json"}


def _order_of(world: World, number: str) -> dict[str, Any]:
    return order(
        performer=[{"reference": f"Practitioner/{world.surgeon['staff_id']}"}],
        identifier=[{"system": "urn:oid:2.16.840.1.113883.19.5", "value": number}],
        subject={"identifier": {"value": f"MRN-{uuid.uuid4().hex[:10]}"}},
    )


async def _placed(
    client: httpx.AsyncClient, headers: dict[str, str], document: dict[str, Any]
) -> httpx.Response:
    """POSTs the order once interop knows the world's surgeon (its read model follows resources)."""
    deadline = time.monotonic() + 30
    while True:
        response = await client.post(ORDERS, content=json.dumps(document), headers=_fhir(headers))
        if response.status_code != 422 or "not a staff member" not in response.text:
            return response
        assert time.monotonic() < deadline, "interop never learnt the world's surgeon"
        await asyncio.sleep(0.2)


async def _on_waiting_list(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: str
) -> dict[str, Any]:
    """The case once scheduling has applied the order: within a few seconds."""
    deadline = time.monotonic() + 10
    while True:
        response = await client.get(f"{SURGERIES}/{case_id}", headers=headers)
        if response.status_code == 200:
            return response.json()
        assert time.monotonic() < deadline, f"case {case_id} never reached the waiting list"
        await asyncio.sleep(0.1)


async def _read_back(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: str
) -> dict[str, Any]:
    """ServiceRequest/<case id> as interop's read of cases has it, once scheduling's event came."""
    deadline = time.monotonic() + 20
    while True:
        response = await client.get(f"{ORDERS}/{case_id}", headers=headers)
        if response.status_code == 200:
            return ServiceRequest.model_validate(response.json()).model_dump(mode="json")
        assert time.monotonic() < deadline, f"ServiceRequest/{case_id} never read back"
        await asyncio.sleep(0.1)


async def test_an_order_placed_through_fhir_joins_the_waiting_list_once(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    document = _order_of(world, f"ORD-{uuid.uuid4().hex[:10]}")
    response = await _placed(gateway, coordinator, document)
    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    stored = ServiceRequest.model_validate(response.json())
    assert response.headers["location"] == f"{ORDERS}/{stored.id}"
    assert (stored.status, stored.intent) == ("active", "order")
    case = await _on_waiting_list(gateway, coordinator, stored.id)
    try:
        assert (case["status"], case["priority"]) == ("requested", "urgent")
        assert case["patient_mrn"] == document["subject"]["identifier"]["value"]
        assert case["procedure"] == {
            "code": "80146002",
            "name": "Appendectomy",
            "coding_system": "snomed_ct",
        }
        again = await gateway.post(ORDERS, content=json.dumps(document), headers=_fhir(coordinator))
        assert (again.status_code, again.json()["id"]) == (200, stored.id)
        number = document["identifier"][0]
        named = {"If-None-Exist": f"identifier={number['system']}|{number['value']}"}
        other = _order_of(world, f"ORD-{uuid.uuid4().hex[:10]}")
        conditional = await gateway.post(
            ORDERS, content=json.dumps(other), headers=_fhir(coordinator) | named
        )
        assert (conditional.status_code, conditional.json()["id"]) == (200, stored.id)
        read = await _read_back(gateway, coordinator, stored.id)
        assert (read["subject"]["identifier"]["value"], read["status"]) == (
            case["patient_mrn"],
            "active",
        )
    finally:
        cancelled = await gateway.post(
            f"{SURGERIES}/{stored.id}/cancel",
            json={"reason_code": "administrative", "reason": "end of an e2e test"},
            headers={**coordinator, "If-Match": f'"{case["version"]}"'},
        )
        assert cancelled.status_code == 200, cancelled.text


async def test_an_order_that_cannot_be_mapped_is_an_operation_outcome_naming_elements(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    document = _order_of(world, f"ORD-{uuid.uuid4().hex[:10]}")
    document |= {
        "intent": "proposal",
        "occurrencePeriod": {"start": "2027-03-20", "end": "2027-03-01"},
    }
    response = await gateway.post(ORDERS, content=json.dumps(document), headers=_fhir(coordinator))
    assert response.status_code == 422, response.text
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert ["ServiceRequest.intent"] in [issue.get("expression") for issue in outcome["issue"]]


async def test_a_viewer_may_not_place_orders(
    gateway: httpx.AsyncClient, world: World, viewer: dict[str, str]
) -> None:
    document = _order_of(world, f"ORD-{uuid.uuid4().hex[:10]}")
    response = await gateway.post(ORDERS, content=json.dumps(document), headers=_fhir(viewer))
    assert response.status_code == 403, response.text
    assert response.json()["resourceType"] == "OperationOutcome"
