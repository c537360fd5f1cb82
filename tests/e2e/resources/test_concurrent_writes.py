"""Two writers holding one ETag at the same moment: one wins, the other learns it was late."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.resources.conftest import (
    BLOCKS,
    EQUIPMENT,
    ROOMS,
    STAFF,
    create_room,
    create_staff,
    equipment_body,
    if_match,
    marker,
    room_body,
    staff_body,
)

pytestmark = pytest.mark.e2e


async def test_of_two_simultaneous_room_replacements_with_one_etag_exactly_one_wins(
    gateway, admin, coordinator
):
    room = await create_room(gateway, admin)
    path = f"{ROOMS}/{room['room_id']}"
    bodies = [room_body(code=room["code"], name=name) for name in ("Writer A", "Writer B")]

    answers = await asyncio.gather(
        gateway.put(path, json=bodies[0], headers=if_match(admin, room)),
        gateway.put(path, json=bodies[1], headers=if_match(coordinator, room)),
    )

    assert sorted(a.status_code for a in answers) == [200, 412]
    [winner] = [a.json() for a in answers if a.status_code == 200]
    current = (await gateway.get(path, headers=admin)).json()
    assert (current["version"], current["name"]) == (2, winner["name"])


async def test_a_retirement_racing_a_replacement_with_one_etag_leaves_one_of_them(
    gateway, admin, coordinator
):
    room = await create_room(gateway, admin)
    path = f"{ROOMS}/{room['room_id']}"

    answers = await asyncio.gather(
        gateway.post(f"{path}/retire", headers=if_match(admin, room)),
        gateway.put(path, json=room_body(code=room["code"]), headers=if_match(coordinator, room)),
    )

    assert sorted(a.status_code for a in answers) == [200, 412]
    assert (await gateway.get(path, headers=admin)).json()["version"] == 2


async def test_simultaneous_creations_of_one_room_code_make_one_room_and_409s(gateway, admin):
    body = room_body()

    answers = await asyncio.gather(
        *(gateway.post(ROOMS, json=body, headers=admin) for _ in range(4))
    )

    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
    listed = await gateway.get(ROOMS, params={"q": body["code"]}, headers=admin)
    assert listed.json()["total"] == 1


async def test_of_two_simultaneous_staff_replacements_with_one_etag_exactly_one_wins(
    gateway, admin, coordinator
):
    member = await create_staff(gateway, admin)
    path = f"{STAFF}/{member['staff_id']}"

    answers = await asyncio.gather(
        gateway.put(path, json=staff_body(name="Writer A"), headers=if_match(admin, member)),
        gateway.put(path, json=staff_body(name="Writer B"), headers=if_match(coordinator, member)),
    )

    assert sorted(a.status_code for a in answers) == [200, 412]
    [winner] = [a.json() for a in answers if a.status_code == 200]
    current = (await gateway.get(path, headers=admin)).json()
    assert (current["version"], current["name"]) == (2, winner["name"])


async def test_of_two_simultaneous_clashing_allocations_of_a_room_one_is_refused(
    gateway, admin, coordinator
):
    room = await create_room(gateway, admin)
    bodies = [
        {
            "room_id": room["room_id"],
            "service": service,
            "recurrence": {"kind": "date", "date": "2027-06-07"},
            "start_time": start,
            "end_time": "12:00",
        }
        for service, start in [("cardiac", "08:00"), ("neurosurgery", "10:00")]
    ]

    answers = await asyncio.gather(
        gateway.post(BLOCKS, json=bodies[0], headers=admin),
        gateway.post(BLOCKS, json=bodies[1], headers=coordinator),
    )

    assert sorted(a.status_code for a in answers) == [201, 409]
    listed = await gateway.get(BLOCKS, params={"room_id": room["room_id"]}, headers=admin)
    assert listed.json()["total"] == 1


# The checks before these writes read, then write: two requests can both pass them, and the
# unique index then refuses the second write. That refusal must be a 409 to retry, not a 500.


async def test_simultaneous_creations_with_one_serial_number_make_one_unit_and_a_409(
    gateway, admin, coordinator
):
    serial = f"SN-{marker()}"
    units = [{"label": "A", "serial_number": serial}]

    answers = await asyncio.gather(
        gateway.post(EQUIPMENT, json=equipment_body(units=units), headers=admin),
        gateway.post(EQUIPMENT, json=equipment_body(units=units), headers=coordinator),
    )

    assert sorted(a.status_code for a in answers) == [201, 409]


async def test_a_room_renamed_to_a_code_created_at_the_same_moment_gets_a_409(
    gateway, admin, coordinator
):
    codes = []
    for _ in range(3):
        room = await create_room(gateway, admin)
        code = f"{marker()}-NEW"
        answers = await asyncio.gather(
            gateway.post(ROOMS, json=room_body(code=code), headers=admin),
            gateway.put(
                f"{ROOMS}/{room['room_id']}", json=room_body(code=code), headers=coordinator
            ),
        )
        codes.append(sorted(a.status_code for a in answers))

    # Whichever comes first wins; the other learns the code is taken.
    assert all(c in ([200, 409], [201, 409]) for c in codes), codes
