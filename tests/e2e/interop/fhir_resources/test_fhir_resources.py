"""FHIR of resources through the gateway on the user stack: a room, a surgeon and a C-arm made
through the resources API read back under `/fhir/` as Location, Schedule, Slots, Practitioner,
PractitionerRole and Device (each answer parsed back with its R4B model), retired ones stay
readable inactive, and the CapabilityStatement lists only what the routes accept."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.device import Device
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.schedule import Schedule
from fhir.resources.R4B.slot import Slot

from tests.e2e.resources.conftest import (
    EQUIPMENT,
    ROOMS,
    STAFF,
    create_equipment,
    create_room,
    create_staff,
    if_match,
)

pytestmark = pytest.mark.e2e
FHIR = "/fhir"


async def until(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    path: str,
    shows: Callable[[dict[str, Any]], bool] = lambda _: True,
    timeout: float = 45.0,
) -> dict[str, Any]:
    """The answer at `path` once it is there and `shows` what was just done (the read model
    follows resources' events)."""
    deadline = time.monotonic() + timeout
    while True:
        response = await client.get(path, headers=headers)
        if response.status_code == 200 and shows(response.json()):
            assert response.headers["content-type"] == "application/fhir+json"
            return response.json()
        assert response.status_code in (200, 404), response.text
        assert time.monotonic() < deadline, f"{path} never showed it: {response.text[:300]}"
        await asyncio.sleep(0.2)


async def retire(client: httpx.AsyncClient, admin: dict[str, str], path: str) -> None:
    """Best effort: a record already retired stays as it is."""
    current = await client.get(path, headers=admin)
    if current.status_code == 200 and current.json().get("retired_at") is None:
        await client.post(f"{path}/retire", headers=if_match(admin, current.json()))


@pytest.fixture
async def made(gateway, admin) -> AsyncIterator[dict[str, Any]]:
    """A room open 08:00-16:00 on Mondays and Tuesdays, a surgeon, a C-arm with one unit."""
    room = await create_room(gateway, admin)
    surgeon = await create_staff(gateway, admin)
    c_arm = await create_equipment(
        gateway, admin, units=[{"label": "C-arm 1", "serial_number": f"SN-{uuid.uuid4().hex[:8]}"}]
    )
    records = {"room": room, "surgeon": surgeon, "c_arm": c_arm}
    yield records
    await retire(gateway, admin, f"{ROOMS}/{room['room_id']}")
    await retire(gateway, admin, f"{STAFF}/{surgeon['staff_id']}")
    await retire(gateway, admin, f"{EQUIPMENT}/{c_arm['equipment_id']}")


def next_monday() -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday())


async def test_a_room_reads_back_as_location_schedule_and_its_free_slots(gateway, viewer, made):
    room = made["room"]
    location = Location.model_validate(
        await until(gateway, viewer, f"{FHIR}/Location/{room['room_id']}")
    )
    assert (location.name, location.status) == (room["name"], "active")
    assert location.identifier[1].value == room["code"]
    schedule = Schedule.model_validate(
        (await gateway.get(f"{FHIR}/Schedule/{room['room_id']}", headers=viewer)).json()
    )
    assert schedule.actor[0].reference == f"Location/{room['room_id']}"
    monday = next_monday()
    answer = await gateway.get(
        f"{FHIR}/Slot",
        params=[
            ("schedule", f"Schedule/{room['room_id']}"),
            ("start", f"ge{monday}"),
            ("start", f"le{monday}"),
            ("_include", "Slot:schedule"),
        ],
        headers=viewer,
    )
    bundle = Bundle.model_validate(answer.json())
    slots = [e.resource for e in bundle.entry if e.search.mode == "match"]
    assert bundle.total == 1 and len(slots) == 1
    assert (slots[0].status, slots[0].start.hour, slots[0].end.hour) in {
        ("free", 7, 15),  # Amsterdam in winter
        ("free", 6, 14),  # and in summer
    }
    assert [e.resource.id for e in bundle.entry if e.search.mode == "include"] == [schedule.id]
    again = await gateway.get(f"{FHIR}/Slot/{slots[0].id}", headers=viewer)
    assert Slot.model_validate(again.json()).id == slots[0].id


async def test_a_staff_member_reads_back_as_practitioner_in_a_role(gateway, viewer, made):
    surgeon = made["surgeon"]
    path = f"{FHIR}/Practitioner/{surgeon['staff_id']}"
    practitioner = Practitioner.model_validate(await until(gateway, viewer, path))
    assert (practitioner.name[0].text, practitioner.active) == (surgeon["name"], True)
    answer = await gateway.get(
        f"{FHIR}/PractitionerRole",
        params={
            "practitioner": f"Practitioner/{surgeon['staff_id']}",
            "role": "http://snomed.info/sct|304292004",
            "_include": "PractitionerRole:practitioner",
        },
        headers=viewer,
    )
    bundle = Bundle.model_validate(answer.json())
    modes = {e.search.mode: e.resource for e in bundle.entry}
    assert bundle.total == 1
    assert modes["match"].practitioner.reference == f"Practitioner/{surgeon['staff_id']}"
    assert modes["include"].id == surgeon["staff_id"]
    role = await gateway.get(f"{FHIR}/PractitionerRole/{modes['match'].id}", headers=viewer)
    assert role.json()["id"] == modes["match"].id


async def test_an_equipment_unit_reads_back_as_a_device_and_a_retired_one_as_inactive(
    gateway, admin, viewer, made
):
    c_arm = made["c_arm"]
    unit = c_arm["units"][0]
    path = f"{FHIR}/Device/{unit['unit_id']}"
    device = Device.model_validate(await until(gateway, viewer, path))
    assert (device.status, device.serialNumber) == ("active", unit["serial_number"])
    assert device.type.coding[0].code == "c_arm"
    await retire(gateway, admin, f"{EQUIPMENT}/{c_arm['equipment_id']}")
    retired = await until(gateway, viewer, path, lambda body: body["status"] == "inactive")
    Device.model_validate(retired)


async def test_unknown_ids_types_and_parameters_and_a_missing_token_are_operation_outcomes(
    gateway, viewer
):
    answers = {
        404: await gateway.get(f"{FHIR}/Location/{uuid.uuid4()}", headers=viewer),
        400: await gateway.get(f"{FHIR}/Location?colour=blue", headers=viewer),
        401: await gateway.get(f"{FHIR}/Location"),
    }
    for status, answer in answers.items():
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"] == "application/fhir+json"
        OperationOutcome.model_validate(answer.json())
    lenient = await gateway.get(
        f"{FHIR}/Location?colour=blue&_count=1", headers={**viewer, "Prefer": "handling=lenient"}
    )
    assert lenient.status_code == 200


# Token parameters whose values are a closed set: one value of each.
TOKENS = {
    ("Appointment", "status"): "booked",
    ("ServiceRequest", "status"): "active",
    ("Location", "status"): "active",
    ("Device", "status"): "active",
    ("Slot", "status"): "free",
}


def sample(resource_type: str, param: dict[str, Any]) -> str:
    """A value of the parameter's type that the route serving it must accept."""
    if param["name"] == "active":
        return "true"
    if (resource_type, param["name"]) in TOKENS:
        return TOKENS[resource_type, param["name"]]
    return {
        "date": f"ge{next_monday()}",
        "reference": str(uuid.uuid4()),
        "string": "a",
        "number": "1",
        "uri": "https://example.org",
    }.get(param["type"], str(uuid.uuid4()))


async def test_every_search_parameter_and_include_the_capability_statement_lists_is_accepted(
    gateway, viewer
):
    metadata = await gateway.get(f"{FHIR}/metadata")
    statement = CapabilityStatement.model_validate(metadata.json())
    assert statement.fhirVersion == "4.0.1"
    resources = statement.model_dump(mode="json")["rest"][0]["resource"]
    assert {"Location", "Practitioner", "PractitionerRole", "Device", "Schedule", "Slot"} <= {
        r["type"] for r in resources
    }
    for resource in resources:
        if not any(i["code"] == "search-type" for i in resource["interaction"]):
            continue
        path = f"{FHIR}/{resource['type']}"
        asked = [(p["name"], sample(resource["type"], p)) for p in resource.get("searchParam", [])]
        asked += [("_include", include) for include in resource.get("searchInclude", [])]
        for name, value in [*asked, ("_count", "1")]:
            answer = await gateway.get(path, params={name: value}, headers=viewer)
            assert answer.status_code == 200, f"{path}?{name}={value}: {answer.text[:300]}"
            Bundle.model_validate(answer.json())
