"""Equipment and its units through the gateway: create, replace, retire, maintenance, lists."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.resources.conftest import (
    EQUIPMENT,
    ROOMS,
    assert_problem,
    create_equipment,
    create_room,
    equipment_body,
    if_match,
    marker,
)

pytestmark = pytest.mark.e2e

MAINTENANCE = {"start": "2027-05-03T08:00:00+02:00", "end": "2027-05-03T17:00:00+02:00"}


def units_path(item: dict, unit: dict | None = None) -> str:
    path = f"{EQUIPMENT}/{item['equipment_id']}/units"
    return f"{path}/{unit['unit_id']}" if unit else path


async def test_creates_equipment_with_its_units_in_order(gateway, admin):
    serial = f"SN-{marker()}"
    body = equipment_body(
        units=[{"label": "Arm 2", "serial_number": serial}, {"label": "Arm 1"}],
        turnaround_minutes=30,
    )

    response = await gateway.post(EQUIPMENT, json=body, headers=admin)

    assert response.status_code == 201, response.text
    item = response.json()
    assert response.headers["location"] == f"{EQUIPMENT}/{item['equipment_id']}"
    assert response.headers["etag"] == '"1"'
    assert (item["name"], item["equipment_type"], item["mobile"], item["turnaround_minutes"]) == (
        body["name"],
        "c_arm",
        True,
        30,
    )
    assert [(u["label"], u["serial_number"], u["status"]) for u in item["units"]] == [
        ("Arm 2", serial, "available"),
        ("Arm 1", None, "available"),
    ]
    assert all(u["fixed_room_id"] is None and u["retired_at"] is None for u in item["units"])
    assert all(u["maintenance_windows"] == [] for u in item["units"])
    again = await gateway.get(f"{EQUIPMENT}/{item['equipment_id']}", headers=admin)
    assert (again.json(), again.headers["etag"]) == (item, '"1"')


async def test_fixed_equipment_installs_each_unit_in_a_room_in_service(gateway, admin):
    room = await create_room(gateway, admin)

    item = await create_equipment(
        gateway,
        admin,
        equipment_type="surgical_robot",
        mobile=False,
        units=[{"label": "Robot", "fixed_room_id": room["room_id"]}],
    )

    assert item["units"][0]["fixed_room_id"] == room["room_id"]
    refused = await gateway.post(f"{ROOMS}/{room['room_id']}/retire", headers=admin)
    assert_problem(refused, 409, f"fixed equipment unit {item['units'][0]['unit_id']}")


async def test_refuses_units_in_a_room_that_is_unknown_or_retired(gateway, admin):
    retired = await create_room(gateway, admin)
    await gateway.post(f"{ROOMS}/{retired['room_id']}/retire", headers=admin)
    unknown = str(uuid.uuid4())
    units = [
        {"label": "In a retired room", "fixed_room_id": retired["room_id"]},
        {"label": "Nowhere", "fixed_room_id": unknown},
    ]

    response = await gateway.post(
        EQUIPMENT, json=equipment_body(mobile=False, units=units), headers=admin
    )

    assert_problem(response, 422, f"no operating room {unknown}", "was retired")


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"mobile": False, "units": [{"label": "Loose"}]}, "needs a fixed_room_id"),
        (
            {"mobile": True, "units": [{"label": "Bolted", "fixed_room_id": str(uuid.uuid4())}]},
            "mobile equipment moves between rooms",
        ),
        ({"units": [{"label": "Twin"}, {"label": "TWIN"}]}, "'Twin' is given more than once"),
        (
            {
                "units": [
                    {"label": "A", "serial_number": "X1"},
                    {"label": "B", "serial_number": "x1"},
                ]
            },
            "serial number 'X1' is given more than once",
        ),
        ({"units": [{"label": ""}]}, "label"),
        ({"equipment_type": "C-Arm"}, "equipment_type"),
        ({"turnaround_minutes": -1}, "turnaround_minutes"),
        ({"turnaround_minutes": 1441}, "turnaround_minutes"),
        ({"mobile": None}, "mobile"),
        ({"colour": "grey"}, "colour"),
    ],
)
async def test_refuses_equipment_that_is_not_valid_saying_why(gateway, admin, changes, says):
    response = await gateway.post(EQUIPMENT, json=equipment_body(**changes), headers=admin)

    assert_problem(response, 422, says)


async def test_one_serial_number_is_one_unit_across_all_equipment(gateway, admin):
    serial = f"SN-{marker()}"
    owner = await create_equipment(gateway, admin, units=[{"label": "A", "serial_number": serial}])

    again = await gateway.post(
        EQUIPMENT,
        json=equipment_body(units=[{"label": "B", "serial_number": serial.lower()}]),
        headers=admin,
    )

    assert_problem(again, 409, serial, owner["units"][0]["unit_id"])


async def test_replaces_equipment_and_moves_its_etag(gateway, coordinator):
    item = await create_equipment(gateway, coordinator)
    changed = {"name": f"{marker()} Renamed", "equipment_type": "microscope", "mobile": True}

    response = await gateway.put(
        f"{EQUIPMENT}/{item['equipment_id']}", json=changed, headers=if_match(coordinator, item)
    )

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    replaced = response.json()
    assert (replaced["name"], replaced["equipment_type"], replaced["turnaround_minutes"]) == (
        changed["name"],
        "microscope",
        0,
    )
    stale = await gateway.put(
        f"{EQUIPMENT}/{item['equipment_id']}", json=changed, headers=if_match(coordinator, item)
    )
    assert assert_problem(stale, 412)["current_etag"] == '"2"'


async def test_mobile_equipment_becoming_fixed_needs_a_room_for_each_unit(gateway, coordinator):
    room = await create_room(gateway, coordinator)
    item = await create_equipment(gateway, coordinator, units=[{"label": "One"}])
    [unit] = item["units"]
    fixed = {"name": item["name"], "equipment_type": "c_arm", "mobile": False}
    path = f"{EQUIPMENT}/{item['equipment_id']}"

    unplaced = await gateway.put(path, json=fixed, headers=coordinator)
    assert_problem(unplaced, 422, "'One' needs a fixed_room_id")
    stranger = await gateway.put(
        path,
        json={**fixed, "unit_rooms": {str(uuid.uuid4()): room["room_id"]}},
        headers=coordinator,
    )
    assert_problem(stranger, 422, "unit_rooms")

    placed = await gateway.put(
        path, json={**fixed, "unit_rooms": {unit["unit_id"]: room["room_id"]}}, headers=coordinator
    )
    assert placed.status_code == 200, placed.text
    assert placed.json()["units"][0]["fixed_room_id"] == room["room_id"]
    mobile_again = await gateway.put(path, json={**fixed, "mobile": True}, headers=coordinator)
    assert mobile_again.json()["units"][0]["fixed_room_id"] is None


async def test_adds_changes_and_retires_units(gateway, coordinator):
    item = await create_equipment(gateway, coordinator, units=[{"label": "First"}])

    added = await gateway.post(
        units_path(item), json={"label": "Second"}, headers=if_match(coordinator, item)
    )

    assert added.status_code == 201, added.text
    assert added.headers["etag"] == '"2"'
    first, second = added.json()["units"]
    assert_problem(
        await gateway.post(units_path(item), json={"label": "first"}, headers=coordinator),
        409,
        first["unit_id"],
    )
    changed = await gateway.put(
        units_path(item, second),
        json={"label": "Second", "serial_number": f"SN-{marker()}", "status": "in_maintenance"},
        headers=coordinator,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["units"][1]["status"] == "in_maintenance"
    retired = await gateway.post(f"{units_path(item, first)}/retire", headers=coordinator)
    assert retired.status_code == 200, retired.text
    assert retired.json()["version"] == 4
    assert retired.json()["units"][0]["status"] == "retired"
    assert retired.json()["units"][0]["retired_at"] is not None
    assert_problem(
        await gateway.put(units_path(item, first), json={"label": "First"}, headers=coordinator),
        409,
        "retired",
    )
    reused = await gateway.post(units_path(item), json={"label": "First"}, headers=coordinator)
    assert reused.status_code == 201, reused.text


async def test_adds_and_removes_maintenance_windows_of_a_unit_in_utc(gateway, coordinator):
    item = await create_equipment(gateway, coordinator, units=[{"label": "Only"}])
    path = f"{units_path(item, item['units'][0])}/maintenance"

    response = await gateway.post(path, json={**MAINTENANCE, "note": "Yearly"}, headers=coordinator)

    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"2"'
    [window] = response.json()["units"][0]["maintenance_windows"]
    assert (window["start"], window["end"], window["note"]) == (
        "2027-05-03T06:00:00Z",
        "2027-05-03T15:00:00Z",
        "Yearly",
    )
    overlapping = {
        **MAINTENANCE,
        "start": "2027-05-03T16:00:00+02:00",
        "end": "2027-05-04T00:00:00+02:00",
    }
    assert_problem(await gateway.post(path, json=overlapping, headers=coordinator), 409)
    assert_problem(
        await gateway.post(
            path, json={**MAINTENANCE, "end": MAINTENANCE["start"]}, headers=coordinator
        ),
        422,
        "must be after",
    )
    removed = await gateway.delete(f"{path}/{window['window_id']}", headers=coordinator)
    assert removed.status_code == 200, removed.text
    assert removed.json()["units"][0]["maintenance_windows"] == []
    assert_problem(await gateway.delete(f"{path}/{window['window_id']}", headers=coordinator), 404)


async def test_retired_equipment_retires_its_units_and_refuses_changes(gateway, admin):
    item = await create_equipment(gateway, admin, units=[{"label": "A"}, {"label": "B"}])
    path = f"{EQUIPMENT}/{item['equipment_id']}"

    response = await gateway.post(f"{path}/retire", headers=if_match(admin, item))

    assert response.status_code == 200, response.text
    retired = response.json()
    assert (retired["version"], response.headers["etag"]) == (2, '"2"')
    assert retired["retired_at"] is not None
    assert [u["status"] for u in retired["units"]] == ["retired", "retired"]
    assert (await gateway.get(path, headers=admin)).json() == retired
    update = {"name": item["name"], "equipment_type": "c_arm", "mobile": True}
    for refused in [
        await gateway.put(path, json=update, headers=admin),
        await gateway.post(units_path(item), json={"label": "C"}, headers=admin),
        await gateway.post(f"{path}/retire", headers=admin),
    ]:
        assert_problem(refused, 409, "retired")


async def test_lists_equipment_paginated_filtered_and_sorted(gateway, admin, viewer):
    prefix = marker()
    room = await create_room(gateway, admin)
    for name, equipment_type, units in [
        ("Alpha", "microscope", []),
        ("Bravo", "c_arm", []),
        ("Charlie", "c_arm", [{"label": "Fixed", "fixed_room_id": room["room_id"]}]),
    ]:
        await create_equipment(
            gateway,
            admin,
            name=f"{prefix} {name}",
            equipment_type=equipment_type,
            mobile=not units,
            units=units,
        )
    gone = await create_equipment(gateway, admin, name=f"{prefix} Delta")
    await gateway.post(f"{EQUIPMENT}/{gone['equipment_id']}/retire", headers=admin)

    async def names(**params):
        response = await gateway.get(EQUIPMENT, params={"q": prefix, **params}, headers=viewer)
        assert response.status_code == 200, response.text
        page = response.json()
        return page["total"], [e["name"].removeprefix(f"{prefix} ") for e in page["items"]]

    assert await names(limit=2) == (3, ["Alpha", "Bravo"])
    assert await names(limit=2, offset=2) == (3, ["Charlie"])
    assert await names(sort="-name") == (3, ["Charlie", "Bravo", "Alpha"])
    assert await names(sort="-equipment_type", limit=1) == (3, ["Alpha"])
    assert await names(equipment_type="c_arm") == (2, ["Bravo", "Charlie"])
    assert await names(mobile="false") == (1, ["Charlie"])
    assert await names(mobile="true", equipment_type="c_arm") == (1, ["Bravo"])
    assert await names(include_retired="true") == (4, ["Alpha", "Bravo", "Charlie", "Delta"])


async def test_unknown_equipment_and_units_are_404(gateway, coordinator):
    item = await create_equipment(gateway, coordinator)

    assert_problem(await gateway.get(f"{EQUIPMENT}/{uuid.uuid4()}", headers=coordinator), 404)
    missing = {"unit_id": str(uuid.uuid4())}
    assert_problem(
        await gateway.post(f"{units_path(item, missing)}/retire", headers=coordinator), 404
    )
