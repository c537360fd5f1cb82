"""A default optimization through the gateway: it plans what the chosen room could hold, not the
hospital's whole waiting list, and a request the optimizer has not answered can be rejected."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx

from tests.e2e.scheduling.cases import request_case
from tests.e2e.scheduling.conftest import OPTIMIZATIONS, SCHEDULING, World
from tests.e2e.scheduling.test_optimizations_flow import horizon


async def _planned(gateway: httpx.AsyncClient, admin: dict[str, str], request_id: str) -> set[str]:
    """The cases the request's problem holds, as its audit entry names them."""
    response = await gateway.get(
        f"{SCHEDULING}/audit",
        params={"record_id": request_id, "action": "optimization.request"},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    [entry] = response.json()["items"]
    return set(entry["details"]["surgery_ids"])


async def test_a_default_optimization_holds_what_the_room_could_take_and_may_be_rejected_early(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str], admin: dict[str, str]
) -> None:
    # An emergency due today comes before anything else the shared waiting list may hold.
    case = await request_case(
        gateway, coordinator, world, priority="emergency", due_date=date.today().isoformat()
    )
    body = {"horizon": horizon(days=1), "room_ids": [world.room_id], "time_limit_seconds": 5}

    response = await gateway.post(OPTIMIZATIONS, json=body, headers=coordinator)

    assert response.status_code == 202, response.text
    made = response.json()
    default = made["options"]["default_cases"]
    # One day with the room open 07:00-19:00 and nothing booked in it: 720 free minutes, so at
    # most 2,160 minutes of room time are offered, however long the hospital's waiting list.
    assert default["free_room_minutes"] == 720
    assert default["room_minutes_limit"] == 2160
    assert made["size"]["rooms"] == 1
    assert case["surgery_id"] in await _planned(gateway, admin, made["request_id"])
    assert case["surgery_id"] not in {u["case_id"] for u in made["options"]["left_out"]}

    rejected = await gateway.post(
        f"{OPTIMIZATIONS}/{made['request_id']}/reject",
        headers={**coordinator, "If-Match": f'"{made["version"]}"'},
    )

    if rejected.status_code == 412:  # the optimizer answered in between: reject the answer
        current = await gateway.get(f"{OPTIMIZATIONS}/{made['request_id']}", headers=coordinator)
        rejected = await gateway.post(
            f"{OPTIMIZATIONS}/{made['request_id']}/reject",
            headers={**coordinator, "If-Match": f'"{current.json()["version"]}"'},
        )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    await asyncio.sleep(6)  # time for an answer to the request to arrive: it is ignored
    later = await gateway.get(f"{OPTIMIZATIONS}/{made['request_id']}", headers=coordinator)
    assert later.json()["status"] == "rejected"
