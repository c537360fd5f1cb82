"""The schedule's revision through the gateway: it moves on with a booking, a cancel and a
read-model update, and answers 304 while nothing changed.

Other tests may change the schedule at the same time, so these check that the revision moved
on (it never comes back), and retry the 304 until no other change slipped in between."""

from __future__ import annotations

import httpx

from tests.e2e.scheduling.cases import book, moved, request_case
from tests.e2e.scheduling.conftest import (
    ROOMS,
    SCHEDULING,
    World,
    assert_problem,
    if_match,
    until_known,
)

REVISION = f"{SCHEDULING}/schedule/revision"
EDITABLE_ROOM = ("code", "name", "location", "capabilities", "weekly_hours")
NO_BED = {"reason_code": "no_bed", "reason": "No ICU bed after surgery"}


async def revision(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.get(REVISION, headers=headers)
    assert response.status_code == 200, response.text
    current = response.json()["revision"]
    assert response.headers["etag"] == f'"{current}"'
    return current


async def test_a_booking_and_a_cancel_each_move_the_revision_on(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    before_booking = await revision(gateway, coordinator)
    booked = await book(gateway, coordinator, world, case)
    after_booking = await revision(gateway, coordinator)
    assert after_booking != before_booking
    await moved(gateway, coordinator, booked, "cancel", NO_BED)
    assert await revision(gateway, coordinator) != after_booking


async def test_a_read_model_update_moves_the_revision_on(
    gateway: httpx.AsyncClient, world: World, admin: dict[str, str]
) -> None:
    before = await revision(gateway, admin)
    response = await gateway.put(
        f"{ROOMS}/{world.room_id}",
        json={**{k: world.room[k] for k in EDITABLE_ROOM}, "name": "Renamed theatre"},
        headers=if_match(admin, world.room),
    )
    assert response.status_code == 200, response.text
    await until_known(gateway, admin, "rooms", response.json())
    assert await revision(gateway, admin) != before


async def test_an_unchanged_revision_is_answered_304_and_a_stale_one_200(
    gateway: httpx.AsyncClient, viewer: dict[str, str]
) -> None:
    for _ in range(10):
        current = await revision(gateway, viewer)
        again = await gateway.get(REVISION, headers={**viewer, "If-None-Match": f'"{current}"'})
        if again.status_code == 304:
            break
        assert again.status_code == 200  # something else changed in between: once more
    assert again.status_code == 304
    assert again.headers["etag"] == f'"{current}"'
    assert again.content == b""
    stale = await gateway.get(REVISION, headers={**viewer, "If-None-Match": '"stale-0"'})
    assert stale.status_code == 200
    assert stale.json()["revision"] != "stale-0"


async def test_every_role_may_read_the_revision_but_not_anonymously(
    gateway: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    for token in tokens.values():
        await revision(gateway, {"Authorization": f"Bearer {token}"})
    assert_problem(await gateway.get(REVISION), 401)
