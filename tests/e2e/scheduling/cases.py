"""What the surgery tests share: requesting a case, booking it, local times of the test day."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.e2e.scheduling.conftest import SURGERIES, World, some_day

HOSPITAL = ZoneInfo("Europe/Amsterdam")


def local(hour: int, minute: int = 0, day: date | None = None) -> str:
    """An instant on the test day (`some_day()` unless given), hospital time, with its offset."""
    return datetime.combine(day or some_day(), time(hour, minute), HOSPITAL).isoformat()


async def request_case(
    client: httpx.AsyncClient, headers: dict[str, str], world: World, **changes: Any
) -> dict[str, Any]:
    """A new case of `world`'s surgeon on the waiting list (fails the test unless 201)."""
    response = await client.post(SURGERIES, json=world.surgery_body(**changes), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def book(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    world: World,
    case: dict[str, Any],
    start: str | None = None,
) -> dict[str, Any]:
    """The case booked in `world`'s room at `start` (09:00 on the test day unless given)."""
    response = await client.put(
        f"{SURGERIES}/{case['surgery_id']}/booking",
        json=world.booking_body(start or local(9)),
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


async def move(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    case: dict[str, Any],
    action: str,
    body: dict[str, Any] | None = None,
) -> httpx.Response:
    """`POST /surgeries/{id}/{action}` with `body`, if any."""
    return await client.post(
        f"{SURGERIES}/{case['surgery_id']}/{action}", json=body, headers=headers
    )
