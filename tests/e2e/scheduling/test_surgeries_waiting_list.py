"""The waiting list through the gateway: filters, sorts by rank and date, pages, bookings."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.scheduling.cases import book, move, request_case
from tests.e2e.scheduling.conftest import (
    DAY_HOURS,
    SURGERIES,
    World,
    assert_problem,
    create_staff,
    marker,
    until_known,
)


async def _listed(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> dict[str, Any]:
    response = await client.get(SURGERIES, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _ids(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[str]:
    return [item["surgery_id"] for item in (await _listed(client, headers, **params))["items"]]


def _ids_of(*cases: dict[str, Any]) -> list[str]:
    return [case["surgery_id"] for case in cases]


async def test_filters_by_surgeon_to_that_surgeons_cases_only(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    made = [await request_case(gateway, coordinator, world) for _ in range(2)]
    page = await _listed(gateway, coordinator, surgeon_id=world.surgeon["staff_id"])
    assert page["total"] == 2
    assert {item["surgeon_id"] for item in page["items"]} == {world.surgeon["staff_id"]}
    assert sorted(_ids_of(*page["items"])) == sorted(_ids_of(*made))


async def test_sorts_by_priority_rank_not_alphabetically_then_by_due_date(
    gateway: httpx.AsyncClient, world: World, viewer: dict[str, str], coordinator: dict[str, str]
) -> None:
    elective = await request_case(gateway, coordinator, world, priority="elective")
    urgent_late = await request_case(
        gateway, coordinator, world, priority="urgent", due_date="2027-05-02"
    )
    urgent_undated = await request_case(gateway, coordinator, world, priority="urgent")
    urgent_soon = await request_case(
        gateway, coordinator, world, priority="urgent", due_date="2027-05-01"
    )
    emergency = await request_case(gateway, coordinator, world, priority="emergency")
    mine = {"surgeon_id": world.surgeon["staff_id"]}
    ranked = _ids_of(emergency, urgent_soon, urgent_late, urgent_undated, elective)
    assert await _ids(gateway, viewer, **mine) == ranked
    assert await _ids(gateway, viewer, sort="priority", **mine) == ranked
    reversed_rank = _ids_of(elective, urgent_soon, urgent_late, urgent_undated, emergency)
    assert await _ids(gateway, viewer, sort="-priority", **mine) == reversed_rank


async def test_sorts_by_due_date_either_way_with_undated_cases_last(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    undated = await request_case(gateway, coordinator, world)
    late = await request_case(gateway, coordinator, world, due_date="2027-06-30")
    soon = await request_case(gateway, coordinator, world, due_date="2027-06-01")
    mine = {"surgeon_id": world.surgeon["staff_id"]}
    assert await _ids(gateway, coordinator, sort="due_date", **mine) == _ids_of(soon, late, undated)
    descending = await _ids(gateway, coordinator, sort="-due_date", **mine)
    assert descending == _ids_of(late, soon, undated)


async def test_sorts_by_creation_either_way(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    made = [await request_case(gateway, coordinator, world) for _ in range(3)]
    mine = {"surgeon_id": world.surgeon["staff_id"]}
    assert await _ids(gateway, coordinator, sort="created_at", **mine) == _ids_of(*made)
    assert await _ids(gateway, coordinator, sort="-created_at", **mine) == _ids_of(*made[::-1])


async def test_sorts_by_surgeon_name(
    gateway: httpx.AsyncClient, world: World, admin: dict[str, str], coordinator: dict[str, str]
) -> None:
    tag = marker()
    other = await create_staff(
        gateway,
        admin,
        name=f"A {tag} surgeon",
        role="surgeon",
        specialties=["orthopaedics"],
        working_pattern=DAY_HOURS,
    )
    await until_known(gateway, admin, "staff", other)
    ours = await request_case(gateway, coordinator, world, patient_mrn=f"{tag}-1")
    theirs = await request_case(
        gateway, coordinator, world, patient_mrn=f"{tag}-2", surgeon_id=other["staff_id"]
    )
    # The world's surgeon is named "t… surgeon": after "A t… surgeon".
    assert await _ids(gateway, coordinator, q=tag, sort="surgeon") == _ids_of(theirs, ours)


async def test_filters_by_status_repeated_and_by_waiting(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    waiting = await request_case(gateway, coordinator, world)
    cancelled = await request_case(gateway, coordinator, world)
    stopped = await move(gateway, coordinator, cancelled, "cancel", {"reason_code": "no_bed"})
    assert stopped.status_code == 200, stopped.text
    mine = {"surgeon_id": world.surgeon["staff_id"], "sort": "created_at"}
    assert await _ids(gateway, coordinator, waiting="true", **mine) == _ids_of(waiting)
    assert await _ids(gateway, coordinator, waiting="false", **mine) == _ids_of(cancelled)
    assert await _ids(gateway, coordinator, status="cancelled", **mine) == _ids_of(cancelled)
    both = await _ids(gateway, coordinator, status=["requested", "cancelled"], **mine)
    assert both == _ids_of(waiting, cancelled)


async def test_filters_by_priority_specialty_and_due_dates_inclusively(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    first = await request_case(gateway, coordinator, world, due_date="2027-04-01")
    middle = await request_case(
        gateway, coordinator, world, due_date="2027-04-15", priority="urgent", specialty="trauma"
    )
    await request_case(gateway, coordinator, world, due_date="2027-04-30")
    await request_case(gateway, coordinator, world)
    mine = {"surgeon_id": world.surgeon["staff_id"], "sort": "due_date"}
    assert await _ids(gateway, coordinator, priority="urgent", **mine) == _ids_of(middle)
    assert await _ids(gateway, coordinator, specialty="trauma", **mine) == _ids_of(middle)
    assert await _ids(
        gateway, coordinator, due_after="2027-04-01", due_before="2027-04-15", **mine
    ) == _ids_of(first, middle)


async def test_finds_by_part_of_the_mrn_or_procedure_taking_q_literally(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    tag = marker()
    knee = await request_case(gateway, coordinator, world, patient_mrn=f"MRN-{tag}")
    hip = await request_case(
        gateway,
        coordinator,
        world,
        procedure={"code": "W37.1", "name": f"Hip replacement {tag}_x%"},
    )
    mine = {"surgeon_id": world.surgeon["staff_id"], "sort": "created_at"}
    assert await _ids(gateway, coordinator, q=tag.upper(), **mine) == _ids_of(knee, hip)
    assert await _ids(gateway, coordinator, q="w37.1", **mine) == _ids_of(hip)
    assert await _ids(gateway, coordinator, q="_x%", **mine) == _ids_of(hip)
    assert await _ids(gateway, coordinator, q="%", **mine) == _ids_of(hip)
    assert await _ids(gateway, coordinator, q="e_l", **mine) == []


async def test_pages_neither_repeat_nor_skip_cases_that_sort_alike(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    made = [await request_case(gateway, coordinator, world) for _ in range(5)]
    mine = {"surgeon_id": world.surgeon["staff_id"], "sort": "priority", "limit": 2}
    seen = []
    for offset in (0, 2, 4):
        page = await _listed(gateway, coordinator, offset=offset, **mine)
        assert (page["total"], page["offset"], page["limit"]) == (5, offset, 2)
        seen += _ids_of(*page["items"])
    assert sorted(seen) == sorted(_ids_of(*made))


async def test_refuses_an_unknown_sort_key_status_or_page_size(
    gateway: httpx.AsyncClient, viewer: dict[str, str]
) -> None:
    for params, says in (
        ({"sort": "patient_mrn"}, "sort"),
        ({"status": "lost"}, "status"),
        ({"limit": 501}, "limit"),
        ({"due_before": "soon"}, "due_before"),
    ):
        response = await gateway.get(SURGERIES, params=params, headers=viewer)
        assert_problem(response, 422, says)


async def test_each_listed_case_carries_its_booking(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    booked = await request_case(gateway, coordinator, world)
    waiting = await request_case(gateway, coordinator, world)
    await book(gateway, coordinator, world, booked)
    page = await _listed(
        gateway, coordinator, surgeon_id=world.surgeon["staff_id"], sort="created_at"
    )
    by_id = {item["surgery_id"]: item for item in page["items"]}
    booking = by_id[booked["surgery_id"]]["booking"]
    assert booking["room_id"] == world.room_id
    assert {a["staff_id"] for a in booking["staff"]} >= {world.surgeon["staff_id"]}
    assert by_id[waiting["surgery_id"]]["booking"] is None
