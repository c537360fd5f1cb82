"""Who may do what: admins and coordinators write, every signed-in role reads, nobody else."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import bearer
from tests.e2e.resources.conftest import ROOMS, assert_problem, create_room, room_body

pytestmark = pytest.mark.e2e


def room_writes(room_id: str) -> list[tuple[str, str, dict | None]]:
    window = {"kind": "closure", "start": "2027-06-01T08:00:00Z", "end": "2027-06-01T09:00:00Z"}
    return [
        ("POST", ROOMS, room_body()),
        ("PUT", f"{ROOMS}/{room_id}", room_body()),
        ("POST", f"{ROOMS}/{room_id}/retire", None),
        ("POST", f"{ROOMS}/{room_id}/exceptions", window),
        ("DELETE", f"{ROOMS}/{room_id}/exceptions/{room_id}", None),
    ]


@pytest.mark.parametrize("role", ["viewer", "surgeon"])
async def test_only_admins_and_coordinators_change_rooms(gateway, tokens, admin, role):
    room = await create_room(gateway, admin)

    for method, path, body in room_writes(room["room_id"]):
        response = await gateway.request(method, path, json=body, headers=bearer(tokens[role]))
        assert_problem(response, 403, "admin, coordinator")

    unchanged = await gateway.get(f"{ROOMS}/{room['room_id']}", headers=admin)
    assert unchanged.json() == room


@pytest.mark.parametrize("role", ["admin", "coordinator", "surgeon", "viewer"])
async def test_every_role_reads_rooms(gateway, tokens, admin, role):
    room = await create_room(gateway, admin)

    for path in [ROOMS, f"{ROOMS}/{room['room_id']}"]:
        response = await gateway.get(path, headers=bearer(tokens[role]))
        assert response.status_code == 200, f"{path}: {response.text}"


async def test_without_a_token_nothing_is_read_or_written(gateway, admin):
    room = await create_room(gateway, admin)
    reads = [("GET", ROOMS, None), ("GET", f"{ROOMS}/{room['room_id']}", None)]

    for method, path, body in reads + room_writes(room["room_id"]):
        response = await gateway.request(method, path, json=body)
        assert_problem(response, 401, "token")
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_forged_token_is_refused(gateway):
    response = await gateway.get(ROOMS, headers=bearer("not.a.token"))

    assert_problem(response, 401, "not valid")
