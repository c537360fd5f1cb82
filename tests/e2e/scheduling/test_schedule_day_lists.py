"""Day lists through the gateway: per room, per surgeon, per staff member; roles and ranges."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.scheduling.cases import (
    HOSPITAL,
    book,
    local,
    move,
    request_case,
    round_the_clock_world,
)
from tests.e2e.scheduling.conftest import (
    SCHEDULING,
    World,
    assert_problem,
    retire_world,
    some_day,
)

SCHEDULE = f"{SCHEDULING}/schedule"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def _two_cases(
    gateway: httpx.AsyncClient, coordinator: dict[str, str], world: World
) -> list[dict[str, Any]]:
    """Two cases booked in the world's room on the test day, the later one first."""
    late = await book(
        gateway, coordinator, world, await request_case(gateway, coordinator, world), local(13)
    )
    early = await book(
        gateway, coordinator, world, await request_case(gateway, coordinator, world), local(8)
    )
    return [early, late]


async def test_lists_a_rooms_cases_in_start_order_with_people_and_units(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str], viewer: dict[str, str]
) -> None:
    early, late = await _two_cases(gateway, coordinator, world)
    params = {"date": str(some_day()), "room_id": world.room_id}
    response = await gateway.get(SCHEDULE, params=params, headers=coordinator)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"], body["timezone"]) == (
        str(some_day()),
        str(some_day()),
        "Europe/Amsterdam",
    )
    [day] = body["days"]
    [room] = day["rooms"]
    assert (room["room_id"], room["code"]) == (world.room_id, world.room["code"])
    assert [c["surgery_id"] for c in room["cases"]] == [early["surgery_id"], late["surgery_id"]]
    first = room["cases"][0]
    assert first["status"] == "scheduled"
    assert _at(first["start"]) == _at(local(8))
    assert _at(first["end"]) == _at(local(9, 30))
    # Setup 20 before, cleanup 15 after (the world's request).
    assert _at(first["room_held_from"]) == _at(local(7, 40))
    assert _at(first["room_held_until"]) == _at(local(9, 45))
    assert first["patient_mrn"] == early["patient_mrn"]
    assert first["procedure"]["code"] == "W40.1"
    assert first["surgeon"] == {
        "staff_id": world.surgeon["staff_id"],
        "name": world.surgeon["name"],
    }
    assert (first["anaesthesia_type"], first["priority"]) == ("general", "elective")
    assert [(p["staff_id"], p["role"], p["name"]) for p in first["staff"]] == [
        (world.surgeon["staff_id"], "surgeon", world.surgeon["name"]),
        (world.anaesthetist["staff_id"], "anaesthetist", world.anaesthetist["name"]),
        (world.nurse["staff_id"], "scrub_nurse", world.nurse["name"]),
    ]
    [unit] = first["equipment_units"]
    assert (unit["unit_id"], unit["equipment_type"]) == (world.unit_ids[0], "c_arm")
    assert unit["label"] == world.equipment["units"][0]["label"]
    assert (first["wheels_in"], first["wheels_out"]) == (None, None)
    [window] = room["open_intervals"]
    assert (_at(window["start"]), _at(window["end"])) == (_at(local(7)), _at(local(19)))
    # A viewer reads the same list without the patients.
    seen = (await gateway.get(SCHEDULE, params=params, headers=viewer)).json()
    [seen_room] = seen["days"][0]["rooms"]
    assert [(c["surgery_id"], c["patient_mrn"]) for c in seen_room["cases"]] == [
        (early["surgery_id"], None),
        (late["surgery_id"], None),
    ]


@pytest.fixture
async def ward(gateway: httpx.AsyncClient, admin: dict[str, str]) -> AsyncIterator[World]:
    """A world open around the clock, where a case booked to start now fits at any hour."""
    made = await round_the_clock_world(gateway, admin)
    yield made
    await retire_world(gateway, admin, made)


async def test_the_list_of_every_room_includes_a_case_in_the_room_with_its_wheels_in(
    gateway: httpx.AsyncClient, ward: World, coordinator: dict[str, str]
) -> None:
    # Booked to start two minutes from now, wheeled in a minute ago: listed on its booked date.
    now = datetime.now(UTC).replace(microsecond=0)
    start = now + timedelta(minutes=2)
    case = await request_case(gateway, coordinator, ward)
    case = await book(gateway, coordinator, ward, case, start.isoformat())
    came_in = now - timedelta(minutes=1)
    moved = await move(gateway, coordinator, case, "wheels-in", {"at": came_in.isoformat()})
    assert moved.status_code == 200, moved.text
    day = start.astimezone(HOSPITAL).date()
    response = await gateway.get(SCHEDULE, params={"date": str(day)}, headers=coordinator)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["empty_rooms_listed"] is True
    [listed] = body["days"]
    codes = [r["code"] for r in listed["rooms"]]
    assert codes == sorted(codes)
    [room] = [r for r in listed["rooms"] if r["room_id"] == ward.room_id]
    [first] = room["cases"]
    assert first["surgery_id"] == case["surgery_id"]
    assert (first["status"], _at(first["wheels_in"])) == ("in_room", _at(came_in.isoformat()))
    assert first["wheels_out"] is None


async def test_over_more_than_seven_days_every_rooms_list_has_only_rooms_with_cases(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    # The world's room is open every day; it holds one case, on the test day. Eight dates
    # around it: the room only on that date. Seven dates from it: the room on each, empty or not.
    case = await book(
        gateway, coordinator, world, await request_case(gateway, coordinator, world), local(8)
    )
    day = some_day()
    eight = {"date": str(day - timedelta(days=3)), "to": str(day + timedelta(days=4))}
    response = await gateway.get(SCHEDULE, params=eight, headers=coordinator)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["empty_rooms_listed"] is False
    assert len(body["days"]) == 8
    assert all(r["cases"] for d in body["days"] for r in d["rooms"])
    held = [
        (d["date"], [c["surgery_id"] for c in r["cases"]])
        for d in body["days"]
        for r in d["rooms"]
        if r["room_id"] == world.room_id
    ]
    assert held == [(str(day), [case["surgery_id"]])]
    seven = {"date": str(day), "to": str(day + timedelta(days=6))}
    response = await gateway.get(SCHEDULE, params=seven, headers=coordinator)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["empty_rooms_listed"] is True
    mine = [
        len(r["cases"]) for d in body["days"] for r in d["rooms"] if r["room_id"] == world.room_id
    ]
    assert mine == [1, 0, 0, 0, 0, 0, 0]


async def test_a_surgeons_and_a_staff_members_lists_per_date(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str], surgeon: dict[str, str]
) -> None:
    early, late = await _two_cases(gateway, coordinator, world)
    day, next_day = some_day(), some_day() + timedelta(days=1)
    for path, person in (
        (f"{SCHEDULE}/surgeons/{world.surgeon['staff_id']}", world.surgeon),
        (f"{SCHEDULE}/staff/{world.nurse['staff_id']}", world.nurse),
    ):
        response = await gateway.get(
            path, params={"date": str(day), "to": str(next_day)}, headers=surgeon
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["person"] == {
            "staff_id": person["staff_id"],
            "name": person["name"],
            "role": person["role"],
        }
        assert [(d["date"], [c["surgery_id"] for c in d["cases"]]) for d in body["days"]] == [
            (str(day), [early["surgery_id"], late["surgery_id"]]),
            (str(next_day), []),
        ]
        assert body["days"][0]["cases"][0]["room"]["code"] == world.room["code"]


async def test_a_cancelled_case_leaves_the_list(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    early, late = await _two_cases(gateway, coordinator, world)
    cancelled = await move(gateway, coordinator, late, "cancel", {"reason_code": "no_bed"})
    assert cancelled.status_code == 200, cancelled.text
    response = await gateway.get(
        SCHEDULE, params={"date": str(some_day()), "room_id": world.room_id}, headers=coordinator
    )
    [room] = response.json()["days"][0]["rooms"]
    assert [c["surgery_id"] for c in room["cases"]] == [early["surgery_id"]]


async def test_a_day_list_is_audited_once_naming_its_cases(
    gateway: httpx.AsyncClient,
    world: World,
    coordinator: dict[str, str],
    admin: dict[str, str],
) -> None:
    early, late = await _two_cases(gateway, coordinator, world)
    params = {"date": str(some_day()), "room_id": world.room_id}
    assert (await gateway.get(SCHEDULE, params=params, headers=coordinator)).status_code == 200
    response = await gateway.get(
        f"{SCHEDULING}/audit",
        params={"action": "schedule.read", "record_id": early["surgery_id"]},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    [entry] = response.json()["items"]
    assert entry["record_id"] == world.room_id
    assert entry["details"]["surgery_ids"] == [early["surgery_id"], late["surgery_id"]]
    assert entry["details"]["query"]["room_id"] == world.room_id


async def test_every_role_reads_the_schedule_and_no_one_without_a_token(
    gateway: httpx.AsyncClient, world: World, viewer: dict[str, str], surgeon: dict[str, str]
) -> None:
    params = {"date": str(some_day()), "room_id": world.room_id}
    for headers in (viewer, surgeon):
        assert (await gateway.get(SCHEDULE, params=params, headers=headers)).status_code == 200
    assert_problem(await gateway.get(SCHEDULE, params=params), 401)


async def test_refuses_bad_ranges_and_unknown_rooms_or_people(
    gateway: httpx.AsyncClient, viewer: dict[str, str]
) -> None:
    day = some_day()
    for params, says in (
        ({"date": str(day), "to": str(day - timedelta(days=1))}, "before"),
        ({"date": str(day), "to": str(day + timedelta(days=92))}, "at most 92 days"),
    ):
        assert_problem(await gateway.get(SCHEDULE, params=params, headers=viewer), 422, says)
    for params in ({"date": "tomorrow"}, {}, {"date": str(day), "room_id": "x"}):
        assert_problem(await gateway.get(SCHEDULE, params=params, headers=viewer), 422)
    assert_problem(
        await gateway.get(
            f"{SCHEDULE}/staff/{UNKNOWN}",
            params={"date": str(day), "to": str(day + timedelta(days=100))},
            headers=viewer,
        ),
        422,
    )
    for path, params in (
        (SCHEDULE, {"date": str(day), "room_id": UNKNOWN}),
        (f"{SCHEDULE}/surgeons/{UNKNOWN}", {"date": str(day)}),
        (f"{SCHEDULE}/staff/{UNKNOWN}", {"date": str(day)}),
    ):
        assert_problem(await gateway.get(path, params=params, headers=viewer), 404, UNKNOWN)
