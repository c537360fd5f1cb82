"""Fifty coordinators book fifty different cases into the same room at the same time: exactly
one wins, the other forty-nine hear `409` naming the winner, and one booking is stored."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import gateway_client
from tests.e2e.scheduling.cases import local, request_case
from tests.e2e.scheduling.conftest import SURGERIES, World, assert_problem

RACERS = 50


async def test_fifty_concurrent_bookings_of_one_room_and_time_leave_exactly_one(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    # No people or units besides the shared surgeon: the room is what they fight over.
    cases = [
        await request_case(gateway, coordinator, world, staff_roles_needed=[], equipment_types=[])
        for _ in range(RACERS)
    ]
    body = {"room_id": world.room_id, "start": local(9), "staff": [], "equipment_unit_ids": []}
    async with gateway_client(timeout=30) as racing:
        answers = await asyncio.gather(
            *(
                racing.put(f"{SURGERIES}/{c['surgery_id']}/booking", json=body, headers=coordinator)
                for c in cases
            )
        )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [409] * (RACERS - 1), [
        a.text for a in answers if a.status_code >= 500
    ]
    (winner,) = [a.json()["surgery_id"] for a in answers if a.status_code == 200]
    for refused in (a for a in answers if a.status_code == 409):
        conflicts = assert_problem(refused, 409, "refused")["conflicts"]
        assert "room_double_booked" in [c["code"] for c in conflicts]
        assert {c["other_surgery_id"] for c in conflicts} == {winner}
    scheduled = await gateway.get(
        SURGERIES,
        params={"surgeon_id": world.surgeon["staff_id"], "status": "scheduled"},
        headers=coordinator,
    )
    assert scheduled.status_code == 200, scheduled.text
    assert scheduled.json()["total"] == 1
    assert scheduled.json()["items"][0]["surgery_id"] == winner
