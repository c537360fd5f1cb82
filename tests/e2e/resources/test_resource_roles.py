"""Who may do what: admins and coordinators write, every signed-in role reads, nobody else."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import bearer
from tests.e2e.resources.conftest import (
    AVAILABILITY,
    BLOCKS,
    EQUIPMENT,
    ROOMS,
    STAFF,
    assert_problem,
    create,
    create_equipment,
    create_room,
    create_staff,
    equipment_body,
    room_body,
    staff_body,
)

pytestmark = pytest.mark.e2e

WINDOW = {"start": "2027-06-01T08:00:00Z", "end": "2027-06-01T09:00:00Z"}


@pytest.fixture
async def hospital(gateway, admin) -> dict[str, dict]:
    """One of each resource, made by an administrator."""
    room = await create_room(gateway, admin)
    block = {
        "room_id": room["room_id"],
        "service": "cardiac",
        "recurrence": {"kind": "date", "date": "2027-06-01"},
        "start_time": "08:00",
        "end_time": "12:00",
    }
    return {
        "room": room,
        "staff": await create_staff(gateway, admin),
        "equipment": await create_equipment(gateway, admin, units=[{"label": "Only"}]),
        "block": await create(gateway, BLOCKS, block, admin),
    }


def writes(hospital: dict[str, dict]) -> list[tuple[str, str, dict | None]]:
    room = f"{ROOMS}/{hospital['room']['room_id']}"
    member = f"{STAFF}/{hospital['staff']['staff_id']}"
    item = f"{EQUIPMENT}/{hospital['equipment']['equipment_id']}"
    unit = f"{item}/units/{hospital['equipment']['units'][0]['unit_id']}"
    block = f"{BLOCKS}/{hospital['block']['block_id']}"
    some_id = hospital["room"]["room_id"]
    return [
        ("POST", ROOMS, room_body()),
        ("PUT", room, room_body()),
        ("POST", f"{room}/retire", None),
        ("POST", f"{room}/exceptions", {**WINDOW, "kind": "closure"}),
        ("DELETE", f"{room}/exceptions/{some_id}", None),
        ("POST", STAFF, staff_body()),
        ("PUT", member, staff_body()),
        ("POST", f"{member}/retire", None),
        ("POST", f"{member}/absences", WINDOW),
        ("DELETE", f"{member}/absences/{some_id}", None),
        ("POST", EQUIPMENT, equipment_body()),
        ("PUT", item, {"name": "X", "equipment_type": "c_arm", "mobile": True}),
        ("POST", f"{item}/retire", None),
        ("POST", f"{item}/units", {"label": "Another"}),
        ("PUT", unit, {"label": "Renamed"}),
        ("POST", f"{unit}/retire", None),
        ("POST", f"{unit}/maintenance", WINDOW),
        ("DELETE", f"{unit}/maintenance/{some_id}", None),
        ("POST", BLOCKS, {**hospital["block"], "block_id": None}),
        ("PUT", block, {"room_id": some_id}),
        ("POST", f"{block}/retire", None),
        ("POST", f"{block}/releases", {"date": "2027-06-01"}),
    ]


def reads(hospital: dict[str, dict]) -> list[str]:
    return [
        ROOMS,
        f"{ROOMS}/{hospital['room']['room_id']}",
        STAFF,
        f"{STAFF}/{hospital['staff']['staff_id']}",
        EQUIPMENT,
        f"{EQUIPMENT}/{hospital['equipment']['equipment_id']}",
        BLOCKS,
        f"{BLOCKS}/{hospital['block']['block_id']}",
        f"{AVAILABILITY}?from=2027-06-01&to=2027-06-01&room_id={hospital['room']['room_id']}"
        f"&kind=rooms",
    ]


@pytest.mark.parametrize("role", ["viewer", "surgeon"])
async def test_only_admins_and_coordinators_change_resources(
    gateway, tokens, admin, hospital, role
):
    for method, path, body in writes(hospital):
        response = await gateway.request(method, path, json=body, headers=bearer(tokens[role]))
        assert_problem(response, 403, "admin, coordinator")

    for kind, path, key in [
        ("room", ROOMS, "room_id"),
        ("staff", STAFF, "staff_id"),
        ("equipment", EQUIPMENT, "equipment_id"),
        ("block", BLOCKS, "block_id"),
    ]:
        unchanged = await gateway.get(f"{path}/{hospital[kind][key]}", headers=admin)
        assert unchanged.json() == hospital[kind]


@pytest.mark.parametrize("role", ["admin", "coordinator", "surgeon", "viewer"])
async def test_every_role_reads_resources(gateway, tokens, hospital, role):
    for path in reads(hospital):
        response = await gateway.get(path, headers=bearer(tokens[role]))
        assert response.status_code == 200, f"{path}: {response.text}"


async def test_without_a_token_nothing_is_read_or_written(gateway, hospital):
    every_request = [("GET", path, None) for path in reads(hospital)] + writes(hospital)

    for method, path, body in every_request:
        response = await gateway.request(method, path, json=body)
        assert_problem(response, 401, "token")
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_forged_token_is_refused(gateway):
    response = await gateway.get(ROOMS, headers=bearer("not.a.token"))

    assert_problem(response, 401, "not valid")
