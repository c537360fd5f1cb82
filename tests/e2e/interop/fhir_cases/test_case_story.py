"""THE story of issue 19 through the user stack: a case booked, moved, re-staffed and cancelled
through scheduling's API reads back, through the gateway's `/fhir/`, as the same story of
Appointment states (each validated as R4B), and on `interop.siu.v1` as S12, S13, S14 and S15,
in order, keyed by the case."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from contracts.topics import INTEROP_SIU
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.servicerequest import ServiceRequest

from tests.conftest import KAFKA
from tests.e2e.scheduling.cases import book, local, moved, request_case
from tests.e2e.scheduling.conftest import (
    DAY_HOURS,
    SURGERIES,
    World,
    create_staff,
    marker,
    some_day,
    until_known,
)

FHIR = "/fhir"
NO_BED = {"reason_code": "no_bed"}


async def until_read(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    path: str,
    shows: Callable[[dict[str, Any]], bool],
    timeout: float = 20.0,
) -> dict[str, Any]:
    """The resource at `path` once it `shows` the step just taken (the read model follows
    scheduling's events)."""
    deadline = time.monotonic() + timeout
    while True:
        response = await client.get(f"{FHIR}/{path}", headers=headers)
        if response.status_code == 200 and shows(response.json()):
            assert response.headers["content-type"].startswith("application/fhir+json")
            return response.json()
        assert time.monotonic() < deadline, f"{path} never showed the step: {response.text}"
        await asyncio.sleep(0.1)


def story_line(resource: dict[str, Any]) -> tuple[str, str | None, list[str]]:
    """An Appointment as a line of its story: status, start, and who and what takes part."""
    Appointment.model_validate(resource)
    actors = sorted(
        p["actor"]["reference"] for p in resource["participant"] if "reference" in p["actor"]
    )
    return resource["status"], resource.get("start"), actors


async def siu_messages(consumer: AIOKafkaConsumer, case_id: str, count: int) -> list[str]:
    """The triggers of the first `count` SIU messages keyed by `case_id`, in order."""
    found: list[str] = []
    deadline = time.monotonic() + 30
    while len(found) < count:
        assert time.monotonic() < deadline, f"only {found} of the SIU messages of {case_id}"
        for records in (await consumer.getmany(timeout_ms=500)).values():
            found += [
                json.loads(r.value)["data"]["trigger"] for r in records if r.key == case_id.encode()
            ]
    return found


async def test_a_case_booked_moved_restaffed_and_cancelled_reads_back_as_the_same_story(
    gateway: httpx.AsyncClient, admin: dict[str, str], coordinator: dict[str, str], world: World
) -> None:
    consumer = AIOKafkaConsumer(INTEROP_SIU.name, **KAFKA.client_options())
    await consumer.start()
    try:
        await consumer.seek_to_end()
        await asyncio.sleep(0.5)  # the end is where the assignment starts reading
        lines = await _live_the_story(gateway, admin, coordinator, world)
        told = await siu_messages(consumer, lines["case_id"], 4)
    finally:
        await consumer.stop()

    room, unit_1, unit_2 = world.room_id, *world.unit_ids[:2]
    surgeon, anaesthetist, nurse = (
        world.surgeon["staff_id"],
        world.anaesthetist["staff_id"],
        world.nurse["staff_id"],
    )
    team = [f"Practitioner/{p}" for p in (surgeon, anaesthetist, nurse)]
    relieved = sorted([team[0], f"Practitioner/{lines['relief']}", team[2]])
    assert lines["appointments"] == [
        ("booked", _utc(9), sorted([f"Device/{unit_1}", f"Location/{room}", *team])),
        ("booked", _utc(11), sorted([f"Device/{unit_1}", f"Location/{room}", *team])),
        ("booked", _utc(11), sorted([f"Device/{unit_2}", f"Location/{room}", *relieved])),
        ("cancelled", _utc(11), sorted([f"Device/{unit_2}", f"Location/{room}", *relieved])),
    ]
    assert lines["orders"] == ["active", "revoked"]
    assert told == ["S12", "S13", "S14", "S15"]


async def _live_the_story(
    gateway: httpx.AsyncClient, admin: dict[str, str], coordinator: dict[str, str], world: World
) -> dict[str, Any]:
    case = await request_case(gateway, coordinator, world)
    case_id = case["surgery_id"]
    path = f"Appointment/{case_id}"
    orders = [(await until_read(gateway, coordinator, f"ServiceRequest/{case_id}", _any))]
    assert (await gateway.get(f"{FHIR}/{path}", headers=coordinator)).status_code == 404

    appointments = []
    case = await book(gateway, coordinator, world, case, local(9))
    appointments.append(await until_read(gateway, coordinator, path, _starts(9)))
    case = await _rebook(gateway, coordinator, world, case, local(11))
    appointments.append(await until_read(gateway, coordinator, path, _starts(11)))
    relief = await _another_anaesthetist(gateway, admin, world)
    restaffed = world.booking_body(
        local(11),
        staff=[
            {"staff_id": relief["staff_id"], "role": "anaesthetist"},
            {"staff_id": world.nurse["staff_id"], "role": "scrub_nurse"},
        ],
        equipment_unit_ids=world.unit_ids[1:2],
    )
    case = await _rebook(gateway, coordinator, world, case, body=restaffed)
    appointments.append(await until_read(gateway, coordinator, path, _with(relief)))
    await _found_by_day_and_room(gateway, coordinator, world, case_id)
    await moved(gateway, coordinator, case, "cancel", NO_BED)
    appointments.append(await until_read(gateway, coordinator, path, _status("cancelled")))
    orders.append(
        await until_read(gateway, coordinator, f"ServiceRequest/{case_id}", _status("revoked"))
    )
    for order in orders:
        ServiceRequest.model_validate(order)
    return {
        "case_id": case_id,
        "relief": relief["staff_id"],
        "appointments": [story_line(a) for a in appointments],
        "orders": [o["status"] for o in orders],
    }


async def _rebook(
    gateway: httpx.AsyncClient,
    coordinator: dict[str, str],
    world: World,
    case: dict[str, Any],
    start: str | None = None,
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    response = await gateway.put(
        f"{SURGERIES}/{case['surgery_id']}/booking",
        json=body or world.booking_body(start),
        headers=coordinator,
    )
    assert response.status_code == 200, response.text
    return response.json()


async def _found_by_day_and_room(
    gateway: httpx.AsyncClient, coordinator: dict[str, str], world: World, case_id: str
) -> None:
    """The day's search by room finds the case, and a search of the next day does not."""
    day = some_day()
    params = {"date": [f"ge{day}", f"le{day}"], "location": f"Location/{world.room_id}"}
    found = await gateway.get(f"{FHIR}/Appointment", params=params, headers=coordinator)
    assert found.status_code == 200, found.text
    bundle = Bundle.model_validate(found.json())
    assert [e.resource.id for e in bundle.entry or []] == [case_id]
    params["date"] = [f"gt{day}"]
    later = await gateway.get(f"{FHIR}/Appointment", params=params, headers=coordinator)
    assert later.json()["total"] == 0


def _utc(hour: int) -> str:
    """`local(hour)` as FHIR writes an instant: UTC, with Z."""
    instant = datetime.fromisoformat(local(hour)).astimezone(UTC)
    return instant.isoformat().replace("+00:00", "Z")


def _any(_: dict[str, Any]) -> bool:
    return True


def _starts(hour: int) -> Callable[[dict[str, Any]], bool]:
    return lambda resource: resource.get("start") == _utc(hour)


def _with(person: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    """The re-staffed booking: `person` takes part."""
    wanted = f"Practitioner/{person['staff_id']}"
    return lambda resource: any(
        p["actor"].get("reference") == wanted for p in resource["participant"]
    )


async def _another_anaesthetist(
    gateway: httpx.AsyncClient, admin: dict[str, str], world: World
) -> dict[str, Any]:
    """An anaesthetist of the world's own (retired with it), known to scheduling."""
    relief = await create_staff(
        gateway,
        admin,
        name=f"{marker()} relief",
        role="anaesthetist",
        working_pattern=DAY_HOURS,
        max_minutes_per_day=600,
    )
    world.extra["relief"] = relief
    await until_known(gateway, admin, "staff", relief)
    return relief


def _status(status: str) -> Callable[[dict[str, Any]], bool]:
    return lambda resource: resource["status"] == status
