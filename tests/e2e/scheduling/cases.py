"""What the surgery tests share: requesting a case, booking it, local times of the test day, and
a world open around the clock for cases that really take place now."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.e2e.scheduling.conftest import (
    EQUIPMENT,
    EVERY_DAY,
    SURGERIES,
    World,
    create,
    create_room,
    create_staff,
    marker,
    some_day,
    until_known,
)

HOSPITAL = ZoneInfo("Europe/Amsterdam")
ROUND_THE_CLOCK = {day: [{"start": "00:00", "end": "24:00"}] for day in EVERY_DAY}


def local(hour: int, minute: int = 0, day: date | None = None) -> str:
    """An instant on the test day (`some_day()` unless given), hospital time, with its offset."""
    return datetime.combine(day or some_day(), time(hour, minute), HOSPITAL).isoformat()


def from_now(minutes: float) -> str:
    """The instant `minutes` from now (before now if negative), whole seconds, with its offset."""
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=minutes)
    return moment.isoformat()


async def round_the_clock_world(client: httpx.AsyncClient, admin: dict[str, str]) -> World:
    """A `World` whose room is open and whose people work at every hour of every day: a case
    booked to start a minute or two from now fits whenever the test runs (a booking may not
    start in the past), so it can really come into the room and leave it."""
    tag = marker()
    room = await create_room(
        client, admin, code=f"{tag}-OR", capabilities=["general"], weekly_hours=ROUND_THE_CLOCK
    )
    people = [
        await create_staff(
            client,
            admin,
            name=f"{tag} {role}",
            role=role,
            specialties=["orthopaedics"] if role == "surgeon" else [],
            working_pattern=ROUND_THE_CLOCK,
        )
        for role in ("surgeon", "anaesthetist", "scrub_nurse")
    ]
    units = [{"label": f"{tag}-1", "serial_number": f"{tag}-SN1"}]
    body = {"name": f"{tag} C-arm", "equipment_type": "c_arm", "mobile": True, "units": units}
    item = await create(client, EQUIPMENT, body, admin)
    await until_known(client, admin, "rooms", room)
    for member in people:
        await until_known(client, admin, "staff", member)
    await until_known(client, admin, "equipment", item)
    return World(room, *people, item)


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


async def moved(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    case: dict[str, Any],
    action: str,
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The case after `action` (fails the test unless 200 with the next version as ETag)."""
    response = await move(client, headers, case, action, body)
    assert response.status_code == 200, response.text
    after = response.json()
    assert response.headers["etag"] == f'"{after["version"]}"'
    assert after["version"] == case["version"] + 1
    return after
