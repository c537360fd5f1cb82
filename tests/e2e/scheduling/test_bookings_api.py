"""Booking through the gateway: book, move, refuse naming every conflict, dry runs, roles,
`If-Match` and invalid bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from tests.e2e.scheduling.cases import local, request_case
from tests.e2e.scheduling.conftest import (
    EQUIPMENT,
    SCHEDULING,
    SURGERIES,
    World,
    assert_problem,
    create,
    create_room,
    marker,
    some_day,
    until_known,
)


def booking_of(case: dict[str, Any]) -> str:
    return f"{SURGERIES}/{case['surgery_id']}/booking"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_books_a_case_with_its_surgeon_people_and_unit(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    response = await gateway.put(
        booking_of(case), json=world.booking_body(local(9)), headers=coordinator
    )
    assert response.status_code == 200, response.text
    booked = response.json()
    assert response.headers["etag"] == f'"{booked["version"]}"'
    assert (booked["status"], booked["version"]) == ("scheduled", case["version"] + 1)
    held = booked["booking"]
    assert held["room_id"] == world.room_id
    assert _at(held["start"]) == _at(local(9))
    assert _at(held["end"]) == _at(local(10, 30))
    assert _at(held["room_held_from"]) == _at(local(8, 40))
    assert _at(held["room_held_until"]) == _at(local(10, 45))
    assert {(a["staff_id"], a["role"]) for a in held["staff"]} == {
        (world.surgeon["staff_id"], "surgeon"),
        (world.anaesthetist["staff_id"], "anaesthetist"),
        (world.nurse["staff_id"], "scrub_nurse"),
    }
    assert held["equipment_unit_ids"] == world.unit_ids[:1]
    read = await gateway.get(f"{SURGERIES}/{case['surgery_id']}", headers=coordinator)
    assert read.json()["booking"] == held


async def test_moves_a_booked_case_to_another_time(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    first = await gateway.put(
        booking_of(case), json=world.booking_body(local(9)), headers=coordinator
    )
    assert first.status_code == 200, first.text
    moved = await gateway.put(
        booking_of(case),
        json=world.booking_body(local(14), reason_code="list_overrun"),
        headers=coordinator,
    )
    assert moved.status_code == 200, moved.text
    assert _at(moved.json()["booking"]["start"]) == _at(local(14))
    assert moved.json()["version"] == first.json()["version"] + 1
    # The old slot is free again for another case with the same people and unit.
    other = await request_case(gateway, coordinator, world)
    again = await gateway.put(
        booking_of(other), json=world.booking_body(local(9)), headers=coordinator
    )
    assert again.status_code == 200, again.text


async def test_refuses_a_booking_naming_every_conflict_at_once(
    gateway: httpx.AsyncClient, world: World, admin: dict[str, str], coordinator: dict[str, str]
) -> None:
    # The room closes at 19:00, before the cleanup ends (the people stop at 19:00 too, as the
    # surgery does); a capability it lacks; a unit installed in another room.
    elsewhere = await create_room(gateway, admin, code=f"{marker()}-OR")
    fixed = await create(
        gateway,
        EQUIPMENT,
        {
            "name": f"{marker()} ceiling C-arm",
            "equipment_type": "c_arm",
            "mobile": False,
            "units": [{"label": "Ceiling", "fixed_room_id": elsewhere["room_id"]}],
        },
        admin,
    )
    await until_known(gateway, admin, "equipment", fixed)
    case = await request_case(
        gateway, coordinator, world, required_capabilities=["general", "robotic"]
    )
    unit_id = fixed["units"][0]["unit_id"]
    body = world.booking_body(local(17, 30), equipment_unit_ids=[unit_id])
    response = await gateway.put(booking_of(case), json=body, headers=coordinator)
    problem = assert_problem(response, 409, "refused")
    found = [(c["code"], c["resource_type"], c["resource_id"]) for c in problem["conflicts"]]
    assert found == [
        ("room_closed", "room", world.room_id),
        ("room_lacks_capability", "room", world.room_id),
        ("unit_fixed_elsewhere", "unit", unit_id),
    ]
    closed = problem["conflicts"][0]
    assert _at(closed["interval"]["start"]) == _at(local(17, 10))
    assert _at(closed["interval"]["end"]) == _at(local(19, 15))
    assert {c["surgery_id"] for c in problem["conflicts"]} == {case["surgery_id"]}
    unchanged = await gateway.get(f"{SURGERIES}/{case['surgery_id']}", headers=coordinator)
    assert (unchanged.json()["status"], unchanged.json()["booking"]) == ("requested", None)
    audit = await gateway.get(
        f"{SCHEDULING}/audit",
        params={"record_id": case["surgery_id"], "action": "booking.refused"},
        headers=admin,
    )
    (entry,) = audit.json()["items"]
    assert entry["details"]["conflicts"] == [code for code, _, _ in found]


async def test_names_the_other_case_holding_the_room_and_people(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    first = await request_case(gateway, coordinator, world)
    second = await request_case(gateway, coordinator, world)
    booked = await gateway.put(
        booking_of(first), json=world.booking_body(local(9)), headers=coordinator
    )
    assert booked.status_code == 200, booked.text
    response = await gateway.put(
        booking_of(second), json=world.booking_body(local(10)), headers=coordinator
    )
    problem = assert_problem(response, 409)
    assert {c["other_surgery_id"] for c in problem["conflicts"]} == {first["surgery_id"]}
    assert [c["code"] for c in problem["conflicts"]] == [
        "room_double_booked",
        "staff_double_booked",
        "staff_double_booked",
        "staff_double_booked",
        "unit_double_booked",
    ]


async def test_a_dry_run_tells_the_conflicts_and_writes_nothing_but_its_audit_entry(
    gateway: httpx.AsyncClient, world: World, admin: dict[str, str], coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    check = f"{booking_of(case)}/check"
    fits = await gateway.post(check, json=world.booking_body(local(9)), headers=coordinator)
    assert fits.status_code == 200, fits.text
    assert fits.json() == {"fits": True, "conflicts": []}
    late = await gateway.post(check, json=world.booking_body(local(17, 30)), headers=coordinator)
    assert late.json()["fits"] is False
    assert [c["code"] for c in late.json()["conflicts"]] == ["room_closed"]
    read = await gateway.get(f"{SURGERIES}/{case['surgery_id']}", headers=coordinator)
    assert (read.json()["version"], read.json()["booking"]) == (case["version"], None)
    audit = await gateway.get(
        f"{SCHEDULING}/audit",
        params={"record_id": case["surgery_id"], "action": "booking.check"},
        headers=admin,
    )
    assert audit.status_code == 200, audit.text
    assert [e["details"]["fits"] for e in audit.json()["items"]] == [False, True]


async def test_a_dry_run_of_a_move_is_not_in_its_own_way(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    booked = await gateway.put(
        booking_of(case), json=world.booking_body(local(9)), headers=coordinator
    )
    assert booked.status_code == 200, booked.text
    check = await gateway.post(
        f"{booking_of(case)}/check", json=world.booking_body(local(9, 30)), headers=coordinator
    )
    assert check.json() == {"fits": True, "conflicts": []}


async def test_only_coordinators_and_admins_book(
    gateway: httpx.AsyncClient,
    world: World,
    coordinator: dict[str, str],
    admin: dict[str, str],
    surgeon: dict[str, str],
    viewer: dict[str, str],
) -> None:
    case = await request_case(gateway, coordinator, world)
    body = world.booking_body(local(9))
    for headers in (viewer, surgeon):
        assert_problem(await gateway.put(booking_of(case), json=body, headers=headers), 403)
        check = await gateway.post(f"{booking_of(case)}/check", json=body, headers=headers)
        assert_problem(check, 403)
    assert_problem(await gateway.put(booking_of(case), json=body), 401)
    assert (await gateway.put(booking_of(case), json=body, headers=admin)).status_code == 200


async def test_refuses_a_stale_if_match_and_accepts_the_current_one(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    body = world.booking_body(local(9))
    stale = {**coordinator, "If-Match": f'"{case["version"] + 5}"'}
    assert_problem(await gateway.put(booking_of(case), json=body, headers=stale), 412)
    fresh = {**coordinator, "If-Match": f'"{case["version"]}"'}
    assert (await gateway.put(booking_of(case), json=body, headers=fresh)).status_code == 200


async def test_refuses_invalid_bodies_with_422(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    anaesthetist = {"staff_id": world.anaesthetist["staff_id"], "role": "anaesthetist"}
    bad = [
        world.booking_body(f"{some_day()}T09:00:00"),  # no offset
        world.booking_body("2300-03-03T09:00:00+01:00"),
        world.booking_body(local(9), staff=[anaesthetist, anaesthetist]),
        world.booking_body(local(9), equipment_unit_ids=[world.unit_ids[0]] * 2),
        world.booking_body(local(9), equipment_unit_ids=[str(uuid.uuid4()) for _ in range(31)]),
        # A booking holds 30 people: a list of 31 is too long whoever is in it.
        world.booking_body(
            local(9),
            staff=[{"staff_id": str(uuid.uuid4()), "role": "scrub_nurse"} for _ in range(31)],
        ),
        world.booking_body(local(9), staff=[{"staff_id": str(uuid.uuid4()), "role": "pilot"}]),
        world.booking_body(local(9), reason_code="bored"),
        world.booking_body(local(9), extra="field"),
        {"start": local(9)},
    ]
    for body in bad:
        response = await gateway.put(booking_of(case), json=body, headers=coordinator)
        assert_problem(response, 422)


async def test_a_body_listing_the_surgeon_and_29_others_is_judged_by_the_rules_not_refused(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    surgeon = {"staff_id": world.surgeon["staff_id"], "role": "surgeon"}
    others = [{"staff_id": str(uuid.uuid4()), "role": "scrub_nurse"} for _ in range(29)]
    body = world.booking_body(local(9), staff=[surgeon, *others])
    problem = assert_problem(
        await gateway.put(booking_of(case), json=body, headers=coordinator), 409
    )
    assert "staff_not_needed" in {c["code"] for c in problem["conflicts"]}


async def test_refuses_a_booking_into_the_past_and_the_dry_run_says_so(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    body = world.booking_body(local(9, day=date.today() - timedelta(days=1)))
    check = await gateway.post(f"{booking_of(case)}/check", json=body, headers=coordinator)
    assert check.status_code == 200
    assert check.json()["fits"] is False
    assert "starts_in_past" in [c["code"] for c in check.json()["conflicts"]]
    refused = await gateway.put(booking_of(case), json=body, headers=coordinator)
    problem = assert_problem(refused, 409)
    assert "starts_in_past" in [c["code"] for c in problem["conflicts"]]
    assert "before now" in problem["detail"]


async def test_answers_404_for_an_unknown_case(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    missing = {"surgery_id": str(uuid.uuid4())}
    body = world.booking_body(local(9))
    response = await gateway.put(booking_of(missing), json=body, headers=coordinator)
    assert_problem(response, 404)
    check = await gateway.post(f"{booking_of(missing)}/check", json=body, headers=coordinator)
    assert_problem(check, 404)
