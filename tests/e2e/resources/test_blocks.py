"""Blocks of room time through the gateway: allocate, change, clash, release, retire, list."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.resources.conftest import (
    AVAILABILITY,
    BLOCKS,
    ROOMS,
    STAFF,
    assert_problem,
    create,
    create_room,
    create_staff,
    if_match,
    staff_body,
)

pytestmark = pytest.mark.e2e

# 2027-04-05 is a Monday.
MONDAYS_AND_WEDNESDAYS = {
    "kind": "weekly",
    "weekdays": ["wednesday", "monday"],
    "valid_from": "2027-04-05",
    "valid_to": "2027-06-30",
}


def block_body(room: dict, **changes) -> dict:
    body = {
        "room_id": room["room_id"],
        "service": "orthopaedics",
        "recurrence": MONDAYS_AND_WEDNESDAYS,
        "start_time": "08:00",
        "end_time": "12:00",
    }
    return {**body, **changes}


def on_date(day: str) -> dict:
    return {"kind": "date", "date": day}


async def allocate(gateway, headers, room, **changes) -> dict:
    return await create(gateway, BLOCKS, block_body(room, **changes), headers)


async def test_allocates_a_weekly_block_to_a_surgeon(gateway, admin, coordinator):
    room = await create_room(gateway, admin)
    surgeon = await create_staff(gateway, admin, role="surgeon")
    body = block_body(room, service=None, surgeon_id=surgeon["staff_id"])

    response = await gateway.post(BLOCKS, json=body, headers=coordinator)

    assert response.status_code == 201, response.text
    block = response.json()
    assert response.headers["location"] == f"{BLOCKS}/{block['block_id']}"
    assert response.headers["etag"] == '"1"'
    assert (block["room_id"], block["surgeon_id"], block["service"]) == (
        room["room_id"],
        surgeon["staff_id"],
        None,
    )
    assert block["recurrence"] == {**MONDAYS_AND_WEDNESDAYS, "weekdays": ["monday", "wednesday"]}
    assert (block["start_time"], block["end_time"], block["timezone"]) == (
        "08:00",
        "12:00",
        "Europe/Amsterdam",
    )
    assert (block["released_dates"], block["version"], block["retired_at"]) == ([], 1, None)
    again = await gateway.get(f"{BLOCKS}/{block['block_id']}", headers=coordinator)
    assert (again.json(), again.headers["etag"]) == (block, '"1"')


async def test_allocates_a_single_date_to_a_service(gateway, coordinator):
    room = await create_room(gateway, coordinator)

    block = await allocate(gateway, coordinator, room, recurrence=on_date("2027-04-10"))

    assert block["recurrence"] == {"kind": "date", "date": "2027-04-10"}
    assert (block["service"], block["surgeon_id"]) == ("orthopaedics", None)


async def test_replaces_a_block_and_moves_its_etag(gateway, coordinator):
    room = await create_room(gateway, coordinator)
    block = await allocate(gateway, coordinator, room)
    path = f"{BLOCKS}/{block['block_id']}"
    changed = block_body(room, service="cardiac", start_time="13:00", end_time="17:30")

    response = await gateway.put(path, json=changed, headers=if_match(coordinator, block))

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    assert (response.json()["service"], response.json()["end_time"]) == ("cardiac", "17:30")
    stale = await gateway.put(path, json=block_body(room), headers=if_match(coordinator, block))
    assert assert_problem(stale, 412)["current_etag"] == '"2"'


async def test_refuses_a_block_clashing_with_another_block_of_the_room(gateway, coordinator):
    room = await create_room(gateway, coordinator)
    weekly = await allocate(gateway, coordinator, room)
    # 2027-04-14 is a Wednesday within the weekly block's validity.
    clashing = block_body(room, recurrence=on_date("2027-04-14"), start_time="11:00")

    response = await gateway.post(BLOCKS, json=clashing, headers=coordinator)

    problem = assert_problem(response, 409, weekly["block_id"], "2027-04-14")
    assert (problem["block_id"], problem["date"]) == (weekly["block_id"], "2027-04-14")
    for fits in [
        block_body(room, recurrence=on_date("2027-04-14"), start_time="12:00", end_time="14:00"),
        block_body(room, recurrence=on_date("2027-04-13"), start_time="09:00"),
        block_body(await create_room(gateway, coordinator), recurrence=on_date("2027-04-14")),
    ]:
        assert (await gateway.post(BLOCKS, json=fits, headers=coordinator)).status_code == 201


async def test_a_change_that_would_clash_is_refused_too(gateway, coordinator):
    room = await create_room(gateway, coordinator)
    morning = await allocate(gateway, coordinator, room)
    afternoon = await allocate(gateway, coordinator, room, start_time="13:00", end_time="17:00")

    response = await gateway.put(
        f"{BLOCKS}/{afternoon['block_id']}",
        json=block_body(room, start_time="11:30", end_time="17:00"),
        headers=coordinator,
    )

    assert_problem(response, 409, morning["block_id"])


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"start_time": "12:00", "end_time": "08:00"}, "must be after"),
        ({"end_time": "24:30"}, "end_time"),
        ({"surgeon_id": str(uuid.uuid4())}, "exactly one of surgeon_id or service"),
        ({"service": None}, "exactly one of surgeon_id or service"),
        ({"service": "Ortho Paedics"}, "service"),
        ({"recurrence": {**MONDAYS_AND_WEDNESDAYS, "weekdays": []}}, "weekdays"),
        ({"recurrence": {**MONDAYS_AND_WEDNESDAYS, "valid_to": "2027-04-01"}}, "before valid_from"),
        (
            {
                "recurrence": {
                    **MONDAYS_AND_WEDNESDAYS,
                    "weekdays": ["friday"],
                    "valid_to": "2027-04-08",
                }
            },
            "never takes place",
        ),
        ({"recurrence": {"kind": "monthly", "date": "2027-04-10"}}, "recurrence"),
    ],
)
async def test_refuses_a_block_that_is_not_valid_saying_why(gateway, coordinator, changes, says):
    room = await create_room(gateway, coordinator)

    response = await gateway.post(BLOCKS, json=block_body(room, **changes), headers=coordinator)

    assert_problem(response, 422, says)


async def test_only_a_surgeon_in_service_holds_a_block(gateway, coordinator):
    room = await create_room(gateway, coordinator)
    nurse = await create_staff(gateway, coordinator, role="scrub_nurse")
    retired = await create_staff(gateway, coordinator, role="surgeon")
    await gateway.post(f"{STAFF}/{retired['staff_id']}/retire", headers=coordinator)

    def held_by(staff_id):
        body = block_body(room, service=None, surgeon_id=staff_id)
        return gateway.post(BLOCKS, json=body, headers=coordinator)

    assert_problem(await held_by(nurse["staff_id"]), 422, "scrub_nurse", "only a surgeon")
    assert_problem(await held_by(retired["staff_id"]), 409, "retired")
    assert_problem(await held_by(str(uuid.uuid4())), 404, "no staff member")


async def test_a_block_needs_a_room_in_service(gateway, coordinator):
    room = await create_room(gateway, coordinator)
    await gateway.post(f"{ROOMS}/{room['room_id']}/retire", headers=coordinator)

    retired = await gateway.post(BLOCKS, json=block_body(room), headers=coordinator)
    unknown = await gateway.post(
        BLOCKS, json=block_body({"room_id": str(uuid.uuid4())}), headers=coordinator
    )

    assert_problem(retired, 409, "retired")
    assert_problem(unknown, 404, "no operating room")


async def test_rooms_and_surgeons_with_live_blocks_cannot_retire(gateway, coordinator):
    room = await create_room(gateway, coordinator)
    surgeon = await create_staff(gateway, coordinator, role="surgeon")
    block = await allocate(gateway, coordinator, room, service=None, surgeon_id=surgeon["staff_id"])

    assert_problem(
        await gateway.post(f"{ROOMS}/{room['room_id']}/retire", headers=coordinator),
        409,
        f"block {block['block_id']}",
    )
    assert_problem(
        await gateway.post(f"{STAFF}/{surgeon['staff_id']}/retire", headers=coordinator),
        409,
        block["block_id"],
    )
    await gateway.post(f"{BLOCKS}/{block['block_id']}/retire", headers=coordinator)
    assert (
        await gateway.post(f"{ROOMS}/{room['room_id']}/retire", headers=coordinator)
    ).status_code == 200
    assert (
        await gateway.post(f"{STAFF}/{surgeon['staff_id']}/retire", headers=coordinator)
    ).status_code == 200


async def test_a_surgeon_holding_a_live_block_keeps_the_surgeon_role(gateway, coordinator):
    room = await create_room(gateway, coordinator)
    surgeon = await create_staff(gateway, coordinator, role="surgeon")
    block = await allocate(gateway, coordinator, room, service=None, surgeon_id=surgeon["staff_id"])

    response = await gateway.put(
        f"{STAFF}/{surgeon['staff_id']}",
        json=staff_body(name=surgeon["name"], role="scrub_nurse"),
        headers=coordinator,
    )

    assert_problem(response, 409, block["block_id"])


async def test_a_surgeon_holding_a_live_block_stays_active(gateway, coordinator):
    room = await create_room(gateway, coordinator)
    surgeon = await create_staff(gateway, coordinator, role="surgeon")
    block = await allocate(gateway, coordinator, room, service=None, surgeon_id=surgeon["staff_id"])

    response = await gateway.put(
        f"{STAFF}/{surgeon['staff_id']}",
        json=staff_body(name=surgeon["name"], status="inactive"),
        headers=coordinator,
    )

    assert_problem(response, 409, block["block_id"], "become inactive")


async def test_an_inactive_surgeon_is_given_no_block(gateway, coordinator):
    room = await create_room(gateway, coordinator)
    surgeon = await create_staff(gateway, coordinator, role="surgeon", status="inactive")

    response = await gateway.post(
        BLOCKS,
        json=block_body(room, service=None, surgeon_id=surgeon["staff_id"]),
        headers=coordinator,
    )

    assert_problem(response, 422, "inactive")


async def test_a_released_occurrence_leaves_availability_and_cannot_be_released_twice(
    gateway, coordinator
):
    room = await create_room(gateway, coordinator)
    block = await allocate(gateway, coordinator, room)
    path = f"{BLOCKS}/{block['block_id']}/releases"
    # 2027-04-12 (Monday) and 2027-04-14 (Wednesday), 08:00-12:00 summer time.
    week = {"from": "2027-04-12", "to": "2027-04-14", "room_id": room["room_id"], "kind": "rooms"}

    async def held_days():
        response = await gateway.get(AVAILABILITY, params=week, headers=coordinator)
        assert response.status_code == 200, response.text
        [calendar] = response.json()["rooms"]
        return [(b["block_id"], b["start"], b["end"]) for b in calendar["blocks"]]

    assert await held_days() == [
        (block["block_id"], "2027-04-12T06:00:00Z", "2027-04-12T10:00:00Z"),
        (block["block_id"], "2027-04-14T06:00:00Z", "2027-04-14T10:00:00Z"),
    ]
    response = await gateway.post(
        path,
        json={"date": "2027-04-12", "reason": "Congress"},
        headers=if_match(coordinator, block),
    )

    assert response.status_code == 201, response.text
    released = response.json()
    assert (released["released_dates"], released["version"]) == (["2027-04-12"], 2)
    assert response.headers["etag"] == '"2"'
    [detail] = released["releases"]
    assert (detail["occurrence_date"], detail["reason"]) == ("2027-04-12", "Congress")
    assert await held_days() == [
        (block["block_id"], "2027-04-14T06:00:00Z", "2027-04-14T10:00:00Z")
    ]
    assert_problem(
        await gateway.post(path, json={"date": "2027-04-12"}, headers=coordinator),
        409,
        "released already",
    )


async def test_a_released_date_frees_the_room_for_another_block(gateway, coordinator):
    room = await create_room(gateway, coordinator)
    weekly = await allocate(gateway, coordinator, room)
    single = block_body(room, service="cardiac", recurrence=on_date("2027-04-12"))
    assert_problem(await gateway.post(BLOCKS, json=single, headers=coordinator), 409)

    await gateway.post(
        f"{BLOCKS}/{weekly['block_id']}/releases", json={"date": "2027-04-12"}, headers=coordinator
    )

    assert (await gateway.post(BLOCKS, json=single, headers=coordinator)).status_code == 201


@pytest.mark.parametrize(
    ("day", "says"),
    [
        ("2027-04-13", "not scheduled on 2027-04-13 (a tuesday)"),
        ("2027-03-29", "not scheduled on 2027-03-29"),
        ("2027-07-05", "not scheduled on 2027-07-05"),
    ],
)
async def test_refuses_to_release_a_date_that_is_not_an_occurrence(gateway, coordinator, day, says):
    room = await create_room(gateway, coordinator)
    block = await allocate(gateway, coordinator, room)

    response = await gateway.post(
        f"{BLOCKS}/{block['block_id']}/releases", json={"date": day}, headers=coordinator
    )

    assert_problem(response, 422, says)


async def test_refuses_to_release_an_occurrence_in_the_past(gateway, coordinator):
    room = await create_room(gateway, coordinator)
    recurrence = {"kind": "weekly", "weekdays": ["monday"], "valid_from": "2020-01-06"}
    block = await allocate(gateway, coordinator, room, recurrence=recurrence)

    response = await gateway.post(
        f"{BLOCKS}/{block['block_id']}/releases", json={"date": "2020-01-13"}, headers=coordinator
    )

    assert_problem(response, 422, "in the past")


async def test_a_retired_block_stays_readable_and_refuses_changes(gateway, coordinator):
    room = await create_room(gateway, coordinator)
    block = await allocate(gateway, coordinator, room)
    path = f"{BLOCKS}/{block['block_id']}"

    response = await gateway.post(f"{path}/retire", headers=if_match(coordinator, block))

    assert response.status_code == 200, response.text
    retired = response.json()
    assert retired["retired_at"] is not None and retired["version"] == 2
    assert (await gateway.get(path, headers=coordinator)).json() == retired
    for refused in [
        await gateway.put(path, json=block_body(room), headers=coordinator),
        await gateway.post(f"{path}/releases", json={"date": "2027-04-12"}, headers=coordinator),
        await gateway.post(f"{path}/retire", headers=coordinator),
    ]:
        assert_problem(refused, 409, "retired")
    # Its time is free again.
    await allocate(gateway, coordinator, room)


async def test_lists_blocks_paginated_filtered_and_sorted(gateway, coordinator, viewer):
    room = await create_room(gateway, coordinator)
    surgeon = await create_staff(gateway, coordinator, role="surgeon")
    first = await allocate(gateway, coordinator, room, service=None, surgeon_id=surgeon["staff_id"])
    second = await allocate(gateway, coordinator, room, recurrence=on_date("2027-04-13"))
    third = await allocate(
        gateway, coordinator, room, service="cardiac", recurrence=on_date("2027-05-04")
    )
    gone = await allocate(gateway, coordinator, room, recurrence=on_date("2027-05-11"))
    await gateway.post(f"{BLOCKS}/{gone['block_id']}/retire", headers=coordinator)
    await gateway.post(
        f"{BLOCKS}/{first['block_id']}/releases", json={"date": "2027-04-12"}, headers=coordinator
    )

    async def ids(**params):
        response = await gateway.get(
            BLOCKS, params={"room_id": room["room_id"], **params}, headers=viewer
        )
        assert response.status_code == 200, response.text
        page = response.json()
        return page["total"], [b["block_id"] for b in page["items"]]

    everything = [first["block_id"], second["block_id"], third["block_id"]]
    assert await ids() == (3, everything)
    assert await ids(limit=2, offset=1) == (3, everything[1:])
    assert await ids(sort="-valid_from") == (3, everything[::-1])
    assert await ids(surgeon_id=surgeon["staff_id"]) == (1, [first["block_id"]])
    assert await ids(service="cardiac") == (1, [third["block_id"]])
    assert await ids(active_on="2027-04-13") == (1, [second["block_id"]])
    assert await ids(active_on="2027-04-12") == (0, [])
    assert await ids(active_on="2027-04-14") == (1, [first["block_id"]])
    assert await ids(include_retired="true") == (4, [*everything, gone["block_id"]])
    listed = (await gateway.get(BLOCKS, params={"room_id": room["room_id"]}, headers=viewer)).json()
    assert listed["items"][0]["released_dates"] == ["2027-04-12"]


async def test_unknown_blocks_are_404(gateway, coordinator):
    assert_problem(await gateway.get(f"{BLOCKS}/{uuid.uuid4()}", headers=coordinator), 404)
    assert_problem(
        await gateway.post(
            f"{BLOCKS}/{uuid.uuid4()}/releases", json={"date": "2027-04-12"}, headers=coordinator
        ),
        404,
    )
