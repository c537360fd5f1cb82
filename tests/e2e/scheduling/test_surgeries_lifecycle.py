"""A case's lifecycle through the gateway: each move, its refusals, roles and `If-Match` (wheels
in and out, which need a case taking place now, are in `test_surgeries_wheels`)."""

from __future__ import annotations

import httpx

from tests.e2e.scheduling.cases import book, local, move, moved, request_case
from tests.e2e.scheduling.conftest import SURGERIES, World, assert_problem, if_match

NO_BED = {"reason_code": "no_bed", "reason": "No ICU bed after surgery"}


async def test_cancels_a_requested_case_keeping_its_reason(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    cancelled = await moved(gateway, coordinator, case, "cancel", NO_BED)
    assert (cancelled["status"], cancelled["reason_code"], cancelled["reason"]) == (
        "cancelled",
        "no_bed",
        "No ICU bed after surgery",
    )
    read = await gateway.get(f"{SURGERIES}/{case['surgery_id']}", headers=coordinator)
    assert read.json() == cancelled


async def test_refuses_an_unknown_reason_code_naming_the_known_ones(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    response = await move(gateway, coordinator, case, "cancel", {"reason_code": "bored"})
    assert_problem(response, 422, "unknown reason code 'bored'", "patient_unfit", "no_bed")
    response = await move(gateway, coordinator, case, "cancel", {})
    assert_problem(response, 422, "reason_code")


async def test_refuses_to_cancel_a_case_twice(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    await moved(gateway, coordinator, case, "cancel", NO_BED)
    again = await move(gateway, coordinator, case, "cancel", NO_BED)
    assert_problem(again, 409, "A case that is cancelled cannot cancel")


async def test_refuses_moves_a_waiting_case_cannot_make(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    for action, body in (
        ("confirm", None),
        ("wheels-in", None),
        ("wheels-out", None),
        ("postpone", NO_BED),
    ):
        response = await move(gateway, coordinator, case, action, body)
        assert_problem(response, 409, "A case that is requested cannot")
    read = await gateway.get(f"{SURGERIES}/{case['surgery_id']}", headers=coordinator)
    assert (read.json()["status"], read.json()["version"]) == ("requested", 1)


async def test_refuses_a_move_from_a_stale_etag_and_takes_the_current_one(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await request_case(gateway, coordinator, world)
    stale = {**coordinator, "If-Match": '"7"'}
    response = await move(gateway, stale, case, "cancel", NO_BED)
    problem = assert_problem(response, 412, "changed since you read it")
    assert problem["current_etag"] == '"1"'
    await moved(gateway, if_match(coordinator, case), case, "cancel", NO_BED)


async def test_only_planners_confirm_postpone_or_cancel(
    gateway: httpx.AsyncClient,
    world: World,
    coordinator: dict[str, str],
    surgeon: dict[str, str],
    viewer: dict[str, str],
) -> None:
    case = await request_case(gateway, coordinator, world)
    for headers in (surgeon, viewer):
        for action, body in (("confirm", None), ("postpone", NO_BED), ("cancel", NO_BED)):
            assert_problem(await move(gateway, headers, case, action, body), 403)
    for action in ("wheels-in", "wheels-out"):
        assert_problem(await move(gateway, viewer, case, action), 403)


async def test_answers_404_for_moves_of_an_unknown_case(
    gateway: httpx.AsyncClient, coordinator: dict[str, str]
) -> None:
    ghost = {"surgery_id": "00000000-0000-4000-8000-000000000001"}
    assert_problem(await move(gateway, coordinator, ghost, "cancel", NO_BED), 404)


async def test_postponing_frees_the_booking_and_puts_the_case_back_on_the_waiting_list(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await book(gateway, coordinator, world, await request_case(gateway, coordinator, world))
    postponed = await moved(gateway, coordinator, case, "postpone", NO_BED)
    assert (postponed["status"], postponed["booking"], postponed["reason_code"]) == (
        "postponed",
        None,
        "no_bed",
    )
    waiting = await gateway.get(
        SURGERIES,
        params={"surgeon_id": world.surgeon["staff_id"], "waiting": "true"},
        headers=coordinator,
    )
    assert [c["surgery_id"] for c in waiting.json()["items"]] == [case["surgery_id"]]
    # Its room, people and unit are free again: another case takes the very same time.
    other = await book(gateway, coordinator, world, await request_case(gateway, coordinator, world))
    assert other["booking"]["start"] == case["booking"]["start"]
    # And the postponed case can be booked again, at another time.
    again = await book(gateway, coordinator, world, postponed, local(13))
    assert again["status"] == "scheduled"


async def test_cancelling_a_confirmed_case_frees_its_booking(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await book(gateway, coordinator, world, await request_case(gateway, coordinator, world))
    confirmed = await moved(gateway, coordinator, case, "confirm")
    cancelled = await moved(gateway, coordinator, confirmed, "cancel", NO_BED)
    assert (cancelled["status"], cancelled["booking"]) == ("cancelled", None)
    other = await book(gateway, coordinator, world, await request_case(gateway, coordinator, world))
    assert other["booking"]["start"] == case["booking"]["start"]


async def test_refuses_to_confirm_a_confirmed_case(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    case = await book(gateway, coordinator, world, await request_case(gateway, coordinator, world))
    confirmed = await moved(gateway, coordinator, case, "confirm")
    again = await move(gateway, coordinator, confirmed, "confirm")
    assert_problem(again, 409, "A case that is confirmed cannot confirm")
