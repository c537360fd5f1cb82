"""Scheduling's read model follows resources: new records arrive, changes and retirements too."""

from __future__ import annotations

import httpx

from tests.e2e.resources.conftest import ROOMS
from tests.e2e.scheduling.conftest import SCHEDULING, World, if_match, until_known


async def test_knows_the_records_resources_just_created(
    gateway: httpx.AsyncClient, world: World, viewer: dict[str, str]
) -> None:
    response = await gateway.get(f"{SCHEDULING}/read-model/rooms/{world.room_id}", headers=viewer)
    assert response.status_code == 200, response.text
    assert response.json()["version"] == world.room["version"]


async def test_follows_a_retirement_to_its_last_snapshot(
    gateway: httpx.AsyncClient, world: World, admin: dict[str, str]
) -> None:
    retired = await gateway.post(
        f"{ROOMS}/{world.room_id}/retire", headers=if_match(admin, world.room)
    )
    assert retired.status_code == 200, retired.text
    await until_known(gateway, admin, "rooms", retired.json())
    known = await gateway.get(f"{SCHEDULING}/read-model/rooms/{world.room_id}", headers=admin)
    assert known.json()["retired_at"] is not None


async def test_answers_404_for_a_record_never_seen(
    gateway: httpx.AsyncClient, viewer: dict[str, str]
) -> None:
    response = await gateway.get(
        f"{SCHEDULING}/read-model/staff/00000000-0000-4000-8000-000000000000", headers=viewer
    )
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
