"""Operating rooms through the gateway: create, read, replace, retire, dated exceptions, lists."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.resources.conftest import (
    ROOMS,
    assert_problem,
    create_room,
    if_match,
    marker,
    room_body,
)

pytestmark = pytest.mark.e2e

CLOSURE = {
    "kind": "closure",
    "start": "2027-05-03T08:00:00+02:00",
    "end": "2027-05-03T12:00:00+02:00",
}


async def test_creates_a_room_with_a_location_and_an_etag(gateway, admin):
    body = room_body(capabilities=["robotic", "cardiac"])
    response = await gateway.post(ROOMS, json=body, headers=admin)

    assert response.status_code == 201, response.text
    room = response.json()
    assert response.headers["location"] == f"{ROOMS}/{room['room_id']}"
    assert response.headers["etag"] == '"1"'
    assert (room["code"], room["name"], room["location"]) == (
        body["code"],
        body["name"],
        body["location"],
    )
    assert room["capabilities"] == ["cardiac", "robotic"]
    assert (room["status"], room["version"], room["retired_at"]) == ("active", 1, None)
    assert room["weekly_hours"]["monday"] == [{"start": "08:00", "end": "16:00"}]
    assert room["weekly_hours"]["sunday"] == []
    assert (room["timezone"], room["exceptions"]) == ("Europe/Amsterdam", [])


async def test_reads_a_room_back_with_its_etag(gateway, coordinator, viewer):
    room = await create_room(gateway, coordinator)

    response = await gateway.get(f"{ROOMS}/{room['room_id']}", headers=viewer)

    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert response.json() == room


async def test_replaces_a_room_and_moves_its_etag(gateway, coordinator):
    room = await create_room(gateway, coordinator)
    changed = room_body(
        code=f"{marker()}-NEW",
        name="Hybrid theatre",
        location=None,
        capabilities=["hybrid"],
        status="maintenance",
        weekly_hours={"friday": [{"start": "07:30", "end": "12:00"}]},
    )

    response = await gateway.put(
        f"{ROOMS}/{room['room_id']}", json=changed, headers=if_match(coordinator, room)
    )

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    again = (await gateway.get(f"{ROOMS}/{room['room_id']}", headers=coordinator)).json()
    assert again == response.json()
    assert (again["code"], again["name"], again["location"]) == (
        changed["code"],
        "Hybrid theatre",
        None,
    )
    assert (again["capabilities"], again["status"], again["version"]) == (
        ["hybrid"],
        "maintenance",
        2,
    )
    assert again["weekly_hours"]["monday"] == []
    assert again["weekly_hours"]["friday"] == [{"start": "07:30", "end": "12:00"}]


async def test_a_stale_if_match_gets_412_and_changes_nothing(gateway, coordinator):
    room = await create_room(gateway, coordinator)
    path = f"{ROOMS}/{room['room_id']}"
    first = await gateway.put(
        path, json=room_body(code=room["code"], name="First"), headers=if_match(coordinator, room)
    )
    assert first.status_code == 200

    stale = await gateway.put(
        path, json=room_body(code=room["code"], name="Second"), headers=if_match(coordinator, room)
    )

    problem = assert_problem(stale, 412, "version 2")
    assert problem["current_etag"] == '"2"'
    assert (await gateway.get(path, headers=coordinator)).json()["name"] == "First"


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        (
            {
                "weekly_hours": {
                    "monday": [
                        {"start": "08:00", "end": "12:00"},
                        {"start": "11:00", "end": "13:00"},
                    ]
                }
            },
            "overlap",
        ),
        ({"weekly_hours": {"monday": [{"start": "16:00", "end": "08:00"}]}}, "must be after"),
        ({"weekly_hours": {"monday": [{"start": "08:00", "end": "24:30"}]}}, "weekly_hours"),
        ({"capabilities": ["teleportation"]}, "Unknown capability teleportation"),
        ({"capabilities": ["Cardiac"]}, "capabilities"),
        ({"code": "-starts-with-a-dash"}, "code"),
        ({"code": "a-code-far-longer-than-twenty"}, "code"),
        ({"name": ""}, "name"),
        ({"status": "retired"}, "status"),
        ({"weekly_hours": None}, "weekly_hours"),
        ({"colour": "green"}, "colour"),
    ],
)
async def test_refuses_a_room_that_is_not_valid_saying_why(gateway, admin, changes, says):
    response = await gateway.post(ROOMS, json=room_body(**changes), headers=admin)

    assert_problem(response, 422, says)


async def test_room_codes_are_unique_in_service_whatever_their_case(gateway, admin):
    room = await create_room(gateway, admin)

    response = await gateway.post(ROOMS, json=room_body(code=room["code"].upper()), headers=admin)

    assert_problem(response, 409, room["code"].upper())


async def test_a_room_cannot_take_the_code_of_another_room_in_service(gateway, admin):
    taken = await create_room(gateway, admin)
    room = await create_room(gateway, admin)

    response = await gateway.put(
        f"{ROOMS}/{room['room_id']}", json=room_body(code=taken["code"]), headers=admin
    )

    assert_problem(response, 409, taken["room_id"], taken["code"])


async def test_a_retired_room_stays_readable_and_gives_up_its_code(gateway, admin):
    room = await create_room(gateway, admin)
    path = f"{ROOMS}/{room['room_id']}"

    response = await gateway.post(f"{path}/retire", headers=if_match(admin, room))

    assert response.status_code == 200, response.text
    retired = response.json()
    assert (retired["status"], retired["version"]) == ("retired", 2)
    assert retired["retired_at"] is not None
    assert response.headers["etag"] == '"2"'
    assert (await gateway.get(path, headers=admin)).json() == retired
    await create_room(gateway, admin, code=room["code"])


async def test_a_retired_room_refuses_every_change_with_409(gateway, admin):
    room = await create_room(gateway, admin)
    path = f"{ROOMS}/{room['room_id']}"
    await gateway.post(f"{path}/retire", headers=admin)

    for response in [
        await gateway.put(path, json=room_body(code=room["code"]), headers=admin),
        await gateway.post(f"{path}/exceptions", json=CLOSURE, headers=admin),
        await gateway.post(f"{path}/retire", headers=admin),
    ]:
        assert_problem(response, 409, "retired")


async def test_retired_rooms_leave_lists_unless_asked_for(gateway, admin):
    prefix = marker()
    kept = await create_room(gateway, admin, code=f"{prefix}-A")
    gone = await create_room(gateway, admin, code=f"{prefix}-B")
    await gateway.post(f"{ROOMS}/{gone['room_id']}/retire", headers=admin)

    def codes(params):
        return gateway.get(ROOMS, params={"q": prefix, **params}, headers=admin)

    assert [r["code"] for r in (await codes({})).json()["items"]] == [kept["code"]]
    everything = (await codes({"include_retired": "true"})).json()
    assert [r["code"] for r in everything["items"]] == [kept["code"], gone["code"]]
    only_retired = (await codes({"status": "retired"})).json()
    assert [r["code"] for r in only_retired["items"]] == [gone["code"]]


async def test_lists_rooms_paginated_filtered_and_sorted(gateway, admin, viewer):
    prefix = marker()
    for letter, name, capabilities, status in [
        ("A", "Zulu", ["cardiac"], "active"),
        ("B", "Yankee", ["cardiac", "neuro"], "maintenance"),
        ("C", "X-ray", ["neuro"], "active"),
    ]:
        await create_room(
            gateway,
            admin,
            code=f"{prefix}-{letter}",
            name=f"{name} {prefix}",
            capabilities=capabilities,
            status=status,
        )

    async def codes(**params):
        response = await gateway.get(ROOMS, params={"q": prefix, **params}, headers=viewer)
        assert response.status_code == 200, response.text
        page = response.json()
        return page["total"], [r["code"] for r in page["items"]]

    assert await codes(limit=2) == (3, [f"{prefix}-A", f"{prefix}-B"])
    assert await codes(limit=2, offset=2) == (3, [f"{prefix}-C"])
    assert await codes(sort="-code") == (3, [f"{prefix}-C", f"{prefix}-B", f"{prefix}-A"])
    assert await codes(sort="name") == (3, [f"{prefix}-C", f"{prefix}-B", f"{prefix}-A"])
    assert await codes(capability="neuro") == (2, [f"{prefix}-B", f"{prefix}-C"])
    assert await codes(status="maintenance") == (1, [f"{prefix}-B"])
    assert await codes(q=f"yankee {prefix}".upper()) == (1, [f"{prefix}-B"])
    # `q` is literal text: LIKE's wildcards match only themselves.
    assert await codes(q=f"{prefix}%") == (0, [])
    assert await codes(q=f"{prefix}_A") == (0, [])
    page = (
        await gateway.get(ROOMS, params={"q": prefix, "offset": 1, "limit": 1}, headers=viewer)
    ).json()
    assert (page["offset"], page["limit"]) == (1, 1)


@pytest.mark.parametrize(
    ("params", "says"),
    [({"sort": "location"}, "sort"), ({"limit": 0}, "limit"), ({"limit": 501}, "limit")],
)
async def test_a_list_refuses_an_unknown_sort_key_or_a_page_size_out_of_range(
    gateway, viewer, params, says
):
    response = await gateway.get(ROOMS, params=params, headers=viewer)

    assert_problem(response, 422, says)


async def test_adds_and_removes_dated_exceptions_in_utc(gateway, coordinator):
    room = await create_room(gateway, coordinator)
    path = f"{ROOMS}/{room['room_id']}"

    response = await gateway.post(
        f"{path}/exceptions", json={**CLOSURE, "note": "Ventilation"}, headers=coordinator
    )

    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"2"'
    [exception] = response.json()["exceptions"]
    assert exception == {
        "window_id": exception["window_id"],
        "kind": "closure",
        "start": "2027-05-03T06:00:00Z",
        "end": "2027-05-03T10:00:00Z",
        "note": "Ventilation",
    }
    removed = await gateway.delete(
        f"{path}/exceptions/{exception['window_id']}", headers=if_match(coordinator, {"version": 2})
    )
    assert removed.status_code == 200, removed.text
    assert (removed.json()["exceptions"], removed.json()["version"]) == ([], 3)


async def test_refuses_an_exception_overlapping_another_of_the_room(gateway, coordinator):
    room = await create_room(gateway, coordinator)
    path = f"{ROOMS}/{room['room_id']}/exceptions"
    first = await gateway.post(path, json=CLOSURE, headers=coordinator)
    [existing] = first.json()["exceptions"]
    overlapping = {
        "kind": "maintenance",
        "start": "2027-05-03T11:00:00+02:00",
        "end": "2027-05-03T14:00:00+02:00",
    }

    response = await gateway.post(path, json=overlapping, headers=coordinator)

    assert_problem(response, 409, existing["window_id"])
    adjacent = {**overlapping, "start": CLOSURE["end"]}
    assert (await gateway.post(path, json=adjacent, headers=coordinator)).status_code == 201


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"end": "2027-05-03T07:00:00+02:00"}, "must be after"),
        ({"end": CLOSURE["start"]}, "must be after"),
        ({"start": "2027-05-03T08:00:00"}, "timezone"),
        ({"kind": "holiday"}, "kind"),
    ],
)
async def test_refuses_an_exception_that_is_not_valid(gateway, coordinator, changes, says):
    room = await create_room(gateway, coordinator)

    response = await gateway.post(
        f"{ROOMS}/{room['room_id']}/exceptions", json={**CLOSURE, **changes}, headers=coordinator
    )

    assert_problem(response, 422, says)


async def test_unknown_rooms_and_exceptions_are_404(gateway, coordinator):
    room = await create_room(gateway, coordinator)

    assert_problem(await gateway.get(f"{ROOMS}/{uuid.uuid4()}", headers=coordinator), 404)
    missing = f"{ROOMS}/{room['room_id']}/exceptions/{uuid.uuid4()}"
    assert_problem(await gateway.delete(missing, headers=coordinator), 404)
