"""Staff members through the gateway: create, read, replace, retire, absences, accounts, lists."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.e2e.conftest import create_user
from tests.e2e.resources.conftest import (
    STAFF,
    assert_problem,
    create,
    create_staff,
    if_match,
    marker,
    staff_body,
)

pytestmark = pytest.mark.e2e

ABSENCE = {"start": "2027-05-03T00:00:00+02:00", "end": "2027-05-05T00:00:00+02:00"}


async def test_creates_a_staff_member_with_a_location_and_an_etag(gateway, admin):
    body = staff_body(specialties=["vascular", "cardiac"], skills=["robotic_console", "ecmo"])
    response = await gateway.post(STAFF, json=body, headers=admin)

    assert response.status_code == 201, response.text
    member = response.json()
    assert response.headers["location"] == f"{STAFF}/{member['staff_id']}"
    assert response.headers["etag"] == '"1"'
    assert (member["name"], member["role"], member["status"]) == (body["name"], "surgeon", "active")
    assert (member["specialties"], member["skills"]) == (
        ["cardiac", "vascular"],
        ["ecmo", "robotic_console"],
    )
    assert member["working_pattern"]["monday"] == [{"start": "08:00", "end": "16:00"}]
    assert (member["max_minutes_per_day"], member["user_id"], member["retired_at"]) == (
        None,
        None,
        None,
    )
    assert (member["timezone"], member["absences"], member["version"]) == (
        "Europe/Amsterdam",
        [],
        1,
    )


async def test_reads_a_staff_member_back_with_their_etag(gateway, coordinator, viewer):
    member = await create_staff(gateway, coordinator)

    response = await gateway.get(f"{STAFF}/{member['staff_id']}", headers=viewer)

    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert response.json() == member


async def test_replaces_a_staff_member_and_moves_their_etag(gateway, coordinator):
    member = await create_staff(gateway, coordinator)
    changed = staff_body(
        name=f"{marker()} Renamed",
        role="anaesthetist",
        specialties=[],
        skills=["ecmo"],
        working_pattern={"saturday": [{"start": "07:00", "end": "19:00"}]},
        max_minutes_per_day=480,
        status="inactive",
    )

    response = await gateway.put(
        f"{STAFF}/{member['staff_id']}", json=changed, headers=if_match(coordinator, member)
    )

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    again = (await gateway.get(f"{STAFF}/{member['staff_id']}", headers=coordinator)).json()
    assert again == response.json()
    assert (again["name"], again["role"], again["status"]) == (
        changed["name"],
        "anaesthetist",
        "inactive",
    )
    assert (again["specialties"], again["skills"], again["max_minutes_per_day"]) == (
        [],
        ["ecmo"],
        480,
    )
    assert again["working_pattern"]["monday"] == []
    assert again["working_pattern"]["saturday"] == [{"start": "07:00", "end": "19:00"}]


async def test_a_stale_if_match_on_a_staff_member_gets_412_and_changes_nothing(
    gateway, coordinator
):
    member = await create_staff(gateway, coordinator)
    path = f"{STAFF}/{member['staff_id']}"
    first = await gateway.put(
        path, json=staff_body(name="First"), headers=if_match(coordinator, member)
    )
    assert first.status_code == 200

    stale = await gateway.put(
        path, json=staff_body(name="Second"), headers=if_match(coordinator, member)
    )

    assert assert_problem(stale, 412, "version 2")["current_etag"] == '"2"'
    assert (await gateway.get(path, headers=coordinator)).json()["name"] == "First"


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"role": "janitor"}, "role"),
        ({"specialties": ["Heart Surgery"]}, "specialties"),
        ({"skills": ["ECMO!"]}, "skills"),
        (
            {
                "working_pattern": {
                    "monday": [
                        {"start": "08:00", "end": "12:00"},
                        {"start": "09:00", "end": "10:00"},
                    ]
                }
            },
            "overlap",
        ),
        ({"working_pattern": {"monday": [{"start": "12:00", "end": "12:00"}]}}, "must be after"),
        ({"max_minutes_per_day": 0}, "max_minutes_per_day"),
        ({"max_minutes_per_day": 1441}, "max_minutes_per_day"),
        ({"status": "retired"}, "status"),
        ({"name": "   "}, "name"),
        ({"working_pattern": None}, "working_pattern"),
        ({"absences": []}, "absences"),
    ],
)
async def test_refuses_a_staff_member_that_is_not_valid_saying_why(gateway, admin, changes, says):
    response = await gateway.post(STAFF, json=staff_body(**changes), headers=admin)

    assert_problem(response, 422, says)


async def test_refuses_to_link_a_user_account_this_service_does_not_know(gateway, admin):
    unknown = str(uuid.uuid4())

    response = await gateway.post(STAFF, json=staff_body(user_id=unknown), headers=admin)

    assert_problem(response, 422, unknown)


async def test_one_user_account_links_to_one_staff_member_in_service(gateway, tokens, admin):
    user, _ = await create_user(gateway, tokens["admin"], "surgeon")
    body = staff_body(user_id=user["user_id"])
    # The account reaches this service through auth's events: it may take a moment.
    for _ in range(100):
        response = await gateway.post(STAFF, json=body, headers=admin)
        if response.status_code != 422:
            break
        await asyncio.sleep(0.1)
    assert response.status_code == 201, response.text
    linked = response.json()
    assert linked["user_id"] == user["user_id"]

    again = await gateway.post(STAFF, json=staff_body(user_id=user["user_id"]), headers=admin)

    assert_problem(again, 409, linked["staff_id"])
    await gateway.post(f"{STAFF}/{linked['staff_id']}/retire", headers=admin)
    await create(gateway, STAFF, staff_body(user_id=user["user_id"]), admin)


async def test_a_retired_staff_member_stays_readable_and_refuses_changes(gateway, admin):
    member = await create_staff(gateway, admin)
    path = f"{STAFF}/{member['staff_id']}"

    response = await gateway.post(f"{path}/retire", headers=if_match(admin, member))

    assert response.status_code == 200, response.text
    retired = response.json()
    assert (retired["version"], response.headers["etag"]) == (2, '"2"')
    assert retired["retired_at"] is not None
    assert (await gateway.get(path, headers=admin)).json() == retired
    for refused in [
        await gateway.put(path, json=staff_body(), headers=admin),
        await gateway.post(f"{path}/absences", json=ABSENCE, headers=admin),
        await gateway.post(f"{path}/retire", headers=admin),
    ]:
        assert_problem(refused, 409, "retired")


async def test_retired_staff_leave_lists_unless_asked_for(gateway, admin):
    prefix = marker()
    kept = await create_staff(gateway, admin, name=f"{prefix} Kept")
    gone = await create_staff(gateway, admin, name=f"{prefix} Retired")
    await gateway.post(f"{STAFF}/{gone['staff_id']}/retire", headers=admin)

    async def ids(**params):
        page = await gateway.get(STAFF, params={"q": prefix, **params}, headers=admin)
        return [m["staff_id"] for m in page.json()["items"]]

    assert await ids() == [kept["staff_id"]]
    assert await ids(include_retired="true") == [kept["staff_id"], gone["staff_id"]]


async def test_lists_staff_paginated_filtered_and_sorted(gateway, admin, viewer):
    prefix = marker()
    for name, role, specialties, status in [
        ("Anna", "surgeon", ["cardiac"], "active"),
        ("Bram", "anaesthetist", [], "active"),
        ("Cor", "surgeon", ["orthopaedics"], "inactive"),
    ]:
        await create_staff(
            gateway,
            admin,
            name=f"{prefix} {name}",
            role=role,
            specialties=specialties,
            status=status,
        )

    async def names(**params):
        response = await gateway.get(STAFF, params={"q": prefix, **params}, headers=viewer)
        assert response.status_code == 200, response.text
        page = response.json()
        return page["total"], [m["name"].removeprefix(f"{prefix} ") for m in page["items"]]

    assert await names(limit=2) == (3, ["Anna", "Bram"])
    assert await names(limit=2, offset=2) == (3, ["Cor"])
    assert await names(sort="-name") == (3, ["Cor", "Bram", "Anna"])
    assert await names(sort="role") == (3, ["Bram", "Anna", "Cor"])
    assert await names(role="surgeon") == (2, ["Anna", "Cor"])
    assert await names(specialty="orthopaedics") == (1, ["Cor"])
    assert await names(status="inactive") == (1, ["Cor"])
    assert await names(q=f"{prefix} BRAM") == (1, ["Bram"])
    assert_problem(await gateway.get(STAFF, params={"role": "janitor"}, headers=viewer), 422)


async def test_adds_and_removes_absences_in_utc(gateway, coordinator):
    member = await create_staff(gateway, coordinator)
    path = f"{STAFF}/{member['staff_id']}"

    response = await gateway.post(f"{path}/absences", json=ABSENCE, headers=coordinator)

    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"2"'
    [absence] = response.json()["absences"]
    assert (absence["start"], absence["end"]) == ("2027-05-02T22:00:00Z", "2027-05-04T22:00:00Z")
    removed = await gateway.delete(
        f"{path}/absences/{absence['window_id']}", headers=if_match(coordinator, {"version": 2})
    )
    assert removed.status_code == 200, removed.text
    assert (removed.json()["absences"], removed.json()["version"]) == ([], 3)


async def test_refuses_an_absence_overlapping_another_of_the_same_person(gateway, coordinator):
    member = await create_staff(gateway, coordinator)
    other = await create_staff(gateway, coordinator)
    path = f"{STAFF}/{member['staff_id']}/absences"
    [existing] = (await gateway.post(path, json=ABSENCE, headers=coordinator)).json()["absences"]
    overlapping = {"start": "2027-05-04T12:00:00+02:00", "end": "2027-05-06T00:00:00+02:00"}

    response = await gateway.post(path, json=overlapping, headers=coordinator)

    assert_problem(response, 409, existing["window_id"])
    elsewhere = f"{STAFF}/{other['staff_id']}/absences"
    assert (await gateway.post(elsewhere, json=overlapping, headers=coordinator)).status_code == 201


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"end": ABSENCE["start"]}, "must be after"),
        ({"end": "2027-05-05T00:00:00"}, "timezone"),
        ({"note": "flu"}, "note"),
    ],
)
async def test_refuses_an_absence_that_is_not_valid(gateway, coordinator, changes, says):
    member = await create_staff(gateway, coordinator)

    response = await gateway.post(
        f"{STAFF}/{member['staff_id']}/absences", json={**ABSENCE, **changes}, headers=coordinator
    )

    assert_problem(response, 422, says)


async def test_unknown_staff_members_and_absences_are_404(gateway, coordinator):
    member = await create_staff(gateway, coordinator)

    assert_problem(await gateway.get(f"{STAFF}/{uuid.uuid4()}", headers=coordinator), 404)
    missing = f"{STAFF}/{member['staff_id']}/absences/{uuid.uuid4()}"
    assert_problem(await gateway.delete(missing, headers=coordinator), 404)
