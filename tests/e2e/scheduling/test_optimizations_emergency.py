"""An emergency inserted into a full day through the gateway, answered by the real optimizer.

The world's room is open and its people work around the clock, so "today" is full whenever the
test runs: cases booked back to back from a few minutes ahead to local midnight, the first two
confirmed. The emergency takes the earliest planned case's place (its start delay is priced, and
confirmed cases are dearer to move); nothing else moves.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.scheduling.cases import HOSPITAL, moved, request_case, round_the_clock_world
from tests.e2e.scheduling.conftest import (
    OPTIMIZATIONS,
    SURGERIES,
    World,
    assert_problem,
    retire_world,
)
from tests.e2e.scheduling.test_optimizations_flow import answered, by_case

# 10 minutes' setup, 40 of surgery, 10 of cleanup: an hour of room time.
SHAPE = {
    "expected_duration_minutes": 40,
    "setup_minutes": 10,
    "cleanup_minutes": 10,
    "equipment_types": [],
}


@pytest.fixture
async def clock_world(gateway: httpx.AsyncClient, admin: dict[str, str]) -> AsyncIterator[World]:
    made = await round_the_clock_world(gateway, admin)
    yield made
    await retire_world(gateway, admin, made)


async def _cancel_all(
    client: httpx.AsyncClient, headers: dict[str, str], cases: list[dict[str, Any]]
) -> None:
    """Best effort: the test's cases leave today's lists (a case already final stays)."""
    for case in cases:
        current = (await client.get(f"{SURGERIES}/{case['surgery_id']}", headers=headers)).json()
        await client.post(
            f"{SURGERIES}/{case['surgery_id']}/cancel",
            json={"reason_code": "administrative", "reason": "end of an e2e test"},
            headers={**headers, "If-Match": f'"{current["version"]}"'},
        )


def _full_day() -> list[tuple[datetime, int]]:
    """Back-to-back room hours (wheels-in time, surgery minutes) from 20 minutes ahead to local
    midnight; the last one takes what is left, so no gap could hold another hour."""
    now = datetime.now(UTC)
    room_from = (now + timedelta(minutes=20)).replace(second=0, microsecond=0)
    # Today is the hospital's date when the test asks, not 20 minutes on: in the last 20 minutes
    # before local midnight, the room time left is none (and the emergency's today is ending).
    today = now.astimezone(HOSPITAL).date()
    midnight = datetime.combine(today + timedelta(days=1), datetime.min.time(), HOSPITAL)
    hours = int((midnight - room_from).total_seconds() // 3600)
    if hours < 3:
        pytest.skip("less than three hours of today are left to fill")
    slots = [(room_from + timedelta(hours=h, minutes=10), 40) for h in range(hours)]
    left = int((midnight - room_from).total_seconds() // 60) - 60 * hours
    slots[-1] = (slots[-1][0], 40 + left)
    return slots


async def test_an_emergency_on_a_full_day_takes_one_planned_case_s_place_and_applying_books_it(
    gateway: httpx.AsyncClient, clock_world: World, coordinator: dict[str, str]
) -> None:
    world, booked = clock_world, []
    try:
        for n, (start, minutes) in enumerate(_full_day()):
            case = await request_case(
                gateway, coordinator, world, **SHAPE | {"expected_duration_minutes": minutes}
            )
            response = await gateway.put(
                f"{SURGERIES}/{case['surgery_id']}/booking",
                json=world.booking_body(start.isoformat(), equipment_unit_ids=[]),
                headers=coordinator,
            )
            assert response.status_code == 200, response.text
            case = response.json()
            booked.append(await moved(gateway, coordinator, case, "confirm") if n < 2 else case)
        emergency = await request_case(gateway, coordinator, world, priority="emergency", **SHAPE)
        booked.append(emergency)
        asked_at = time.monotonic()

        response = await gateway.post(
            OPTIMIZATIONS,
            json={
                "mode": "emergency",
                "emergency_surgery_ids": [emergency["surgery_id"]],
                "room_ids": [world.room_id],
            },
            headers=coordinator,
        )

        assert response.status_code == 202, response.text
        made = response.json()
        inserted = made["options"]["emergency"]
        assert inserted["days"] == 1
        assert set(inserted["confirmed"]) == {c["surgery_id"] for c in booked[:2]}
        assert set(inserted["replanned"]) == {c["surgery_id"] for c in booked[:-1]}
        assert made["horizon"]["start_date"] == made["horizon"]["end_date"]
        proposed = await answered(gateway, coordinator, made["request_id"], timeout=30)
        assert time.monotonic() - asked_at < 5
        assert proposed["status"] == "proposed", proposed
        changes = by_case(proposed)
        assert proposed["proposal"]["counts"]["moved"] == 0, changes
        assert proposed["proposal"]["counts"]["unbooked"] == 1
        [out] = [i for i, c in changes.items() if c["change"] == "unbooked"]
        assert out == booked[2]["surgery_id"] and changes[out]["reason"]  # the earliest planned
        kept = {c["surgery_id"] for c in booked[:-1]} - {out}
        assert {changes[i]["change"] for i in kept} == {"unchanged"}
        placed = changes[emergency["surgery_id"]]
        assert placed["change"] == "added"
        start = datetime.fromisoformat(placed["proposed"]["start"])
        assert start >= datetime.fromisoformat(inserted["not_before"])
        assert start == datetime.fromisoformat(booked[2]["booking"]["start"])
        assert start.astimezone(HOSPITAL).date().isoformat() == made["horizon"]["start_date"]

        applied = await gateway.post(
            f"{OPTIMIZATIONS}/{made['request_id']}/apply",
            headers={**coordinator, "If-Match": f'"{proposed["version"]}"'},
        )

        assert applied.status_code == 200, applied.text
        now_booked = (
            await gateway.get(f"{SURGERIES}/{emergency['surgery_id']}", headers=coordinator)
        ).json()
        assert now_booked["status"] == "scheduled"
        assert now_booked["booking"]["start"] == placed["proposed"]["start"]
        pushed = (await gateway.get(f"{SURGERIES}/{out}", headers=coordinator)).json()
        assert (pushed["status"], pushed["reason_code"]) == ("postponed", "emergency_displaced")
        assert made["request_id"] in pushed["reason"]
    finally:
        await _cancel_all(gateway, coordinator, booked)


async def test_an_emergency_insertion_refuses_a_case_that_is_not_waiting_or_elective(
    gateway: httpx.AsyncClient, clock_world: World, coordinator: dict[str, str]
) -> None:
    elective = await request_case(gateway, coordinator, clock_world)
    cancelled = await request_case(gateway, coordinator, clock_world, priority="emergency")
    await _cancel_all(gateway, coordinator, [cancelled])

    def insert(case: dict[str, Any]) -> dict[str, Any]:
        return {"mode": "emergency", "emergency_surgery_ids": [case["surgery_id"]]}

    try:
        not_waiting = await gateway.post(OPTIMIZATIONS, json=insert(cancelled), headers=coordinator)
        not_urgent = await gateway.post(OPTIMIZATIONS, json=insert(elective), headers=coordinator)
        unknown = await gateway.post(
            OPTIMIZATIONS, json=insert({"surgery_id": str(uuid.uuid4())}), headers=coordinator
        )
        day = {"start_date": "2030-01-02", "end_date": "2030-01-02"}
        with_horizon = await gateway.post(
            OPTIMIZATIONS, json={**insert(cancelled), "horizon": day}, headers=coordinator
        )
    finally:
        await _cancel_all(gateway, coordinator, [elective])

    assert_problem(not_waiting, 422, "Only a waiting case", cancelled["surgery_id"])
    assert_problem(not_urgent, 422, "Only an emergency or urgent case", elective["surgery_id"])
    assert_problem(unknown, 422, "Unknown surgery requests")
    assert with_horizon.status_code == 422
    assert with_horizon.headers["content-type"].startswith("application/problem+json")
