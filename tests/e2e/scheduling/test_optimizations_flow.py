"""Optimizer proposals through the gateway, answered by the real optimizer service.

Each test plans only its own world's room and cases, a few weeks ahead, where its people work
and its room is open every day 07:00-19:00.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from tests.e2e.scheduling.cases import book, local, move, request_case
from tests.e2e.scheduling.conftest import (
    OPTIMIZATIONS,
    SURGERIES,
    World,
    assert_problem,
    some_day,
)


def horizon(days: int = 3) -> dict[str, str]:
    first = some_day(weeks_ahead=3)
    return {"start_date": first.isoformat(), "end_date": (first + timedelta(days - 1)).isoformat()}


async def ask(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    world: World,
    cases: list[dict[str, Any]],
    **options: Any,
) -> dict[str, Any]:
    body = {
        "horizon": horizon(),
        "room_ids": [world.room_id],
        "surgery_ids": [c["surgery_id"] for c in cases],
        "time_limit_seconds": 5,
        **options,
    }
    response = await client.post(OPTIMIZATIONS, json=body, headers=headers)
    assert response.status_code == 202, response.text
    assert response.headers["location"].endswith(response.json()["request_id"])
    return response.json()


async def answered(
    client: httpx.AsyncClient, headers: dict[str, str], request_id: str, timeout: float = 60.0
) -> dict[str, Any]:
    """The optimization once the optimizer answered it (proposed or failed)."""
    deadline = time.monotonic() + timeout
    while True:
        response = await client.get(f"{OPTIMIZATIONS}/{request_id}", headers=headers)
        assert response.status_code == 200, response.text
        if response.json()["status"] != "requested":
            return response.json()
        assert time.monotonic() < deadline, f"the optimizer never answered {request_id}"
        await asyncio.sleep(0.5)


def by_case(optimization: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["surgery_id"]: c for c in optimization["proposal"]["cases"]}


async def test_a_proposal_adds_waiting_cases_and_applying_books_them_where_it_says(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    cases = [await request_case(gateway, coordinator, world) for _ in range(3)]
    requested = await ask(gateway, coordinator, world, cases)
    assert requested["status"] == "requested"
    assert requested["size"]["cases"] == 3

    proposed = await answered(gateway, coordinator, requested["request_id"])

    assert proposed["status"] == "proposed", proposed
    changes = by_case(proposed)
    assert {c["change"] for c in changes.values()} == {"added"}
    assert set(changes) == {c["surgery_id"] for c in cases}
    assert proposed["proposal"]["stale"] is False
    assert proposed["proposal"]["kpis"]["scheduled_cases"] == 3
    applied = await gateway.post(
        f"{OPTIMIZATIONS}/{proposed['request_id']}/apply",
        headers={**coordinator, "If-Match": f'"{proposed["version"]}"'},
    )
    assert applied.status_code == 200, applied.text
    assert applied.json()["status"] == "applied"
    for case_id, change in changes.items():
        case = (await gateway.get(f"{SURGERIES}/{case_id}", headers=coordinator)).json()
        assert case["status"] == "scheduled"
        placed = change["proposed"]
        assert case["booking"]["room_id"] == placed["room_id"] == world.room_id
        assert _instant(case["booking"]["start"]) == _instant(placed["start"])
        assert {s["staff_id"] for s in case["booking"]["staff"]} == {
            s["staff_id"] for s in placed["staff"]
        }
        assert case["booking"]["equipment_unit_ids"] == placed["equipment_unit_ids"]


async def test_a_booked_case_the_plan_moves_shows_where_it_is_and_where_it_would_go(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    first = date.fromisoformat(horizon()["start_date"])
    booked = await book(
        gateway,
        coordinator,
        world,
        await request_case(gateway, coordinator, world),
        local(15, day=first + timedelta(days=2)),
    )
    waiting = await request_case(gateway, coordinator, world)
    requested = await ask(gateway, coordinator, world, [booked, waiting])

    proposed = await answered(gateway, coordinator, requested["request_id"])

    changes = by_case(proposed)
    mine = changes[booked["surgery_id"]]
    assert mine["change"] in {"moved", "unchanged"}
    assert _instant(mine["current"]["start"]) == _instant(booked["booking"]["start"])
    assert mine["current"]["staff"][0] == {"staff_id": world.surgeon["staff_id"], "role": "surgeon"}
    assert changes[waiting["surgery_id"]]["change"] == "added"


async def test_applying_a_proposal_after_one_of_its_cases_changed_is_refused_as_stale(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    cases = [await request_case(gateway, coordinator, world) for _ in range(2)]
    proposed = await answered(
        gateway, coordinator, (await ask(gateway, coordinator, world, cases))["request_id"]
    )
    assert proposed["status"] == "proposed", proposed
    cancelled = await move(gateway, coordinator, cases[0], "cancel", {"reason_code": "other"})
    assert cancelled.status_code == 200, cancelled.text

    response = await gateway.post(
        f"{OPTIMIZATIONS}/{proposed['request_id']}/apply", headers=coordinator
    )

    body = assert_problem(response, 409)
    assert body["stale_case_ids"] == [cases[0]["surgery_id"]]
    assert cases[0]["surgery_id"] in body["detail"]
    again = (
        await gateway.get(f"{OPTIMIZATIONS}/{proposed['request_id']}", headers=coordinator)
    ).json()
    assert again["status"] == "proposed"
    assert again["proposal"]["stale"] is True
    assert by_case(again)[cases[0]["surgery_id"]]["changed_since_request"] is True
    untouched = (
        await gateway.get(f"{SURGERIES}/{cases[1]['surgery_id']}", headers=coordinator)
    ).json()
    assert untouched["status"] == "requested"


async def test_a_rejection_needs_the_current_etag_and_a_rejected_proposal_cannot_be_applied(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    cases = [await request_case(gateway, coordinator, world)]
    proposed = await answered(
        gateway, coordinator, (await ask(gateway, coordinator, world, cases))["request_id"]
    )

    answered_before = {**coordinator, "If-Match": f'"{proposed["version"] - 1}"'}
    outdated = await gateway.post(
        f"{OPTIMIZATIONS}/{proposed['request_id']}/reject", headers=answered_before
    )
    assert_problem(outdated, 412)
    rejected = await gateway.post(
        f"{OPTIMIZATIONS}/{proposed['request_id']}/reject", headers=coordinator
    )

    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decided_at"] is not None
    late = await gateway.post(
        f"{OPTIMIZATIONS}/{proposed['request_id']}/apply", headers=coordinator
    )
    assert_problem(late, 409)
    twice = await gateway.post(
        f"{OPTIMIZATIONS}/{proposed['request_id']}/reject", headers=coordinator
    )
    assert_problem(twice, 409)
    case = (await gateway.get(f"{SURGERIES}/{cases[0]['surgery_id']}", headers=coordinator)).json()
    assert case["status"] == "requested"


async def test_an_optimization_is_listed_newest_first(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str], admin: dict[str, str]
) -> None:
    cases = [await request_case(gateway, coordinator, world)]
    older = await ask(gateway, coordinator, world, cases)
    newer = await ask(gateway, coordinator, world, cases)

    response = await gateway.get(OPTIMIZATIONS, params={"limit": 50}, headers=admin)

    assert response.status_code == 200, response.text
    ids = [item["request_id"] for item in response.json()["items"]]
    assert ids.index(newer["request_id"]) < ids.index(older["request_id"])


async def test_a_horizon_in_the_past_too_long_or_without_cases_is_refused(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    yesterday = date.today() - timedelta(days=2)
    past = {"start_date": yesterday.isoformat(), "end_date": yesterday.isoformat()}
    first = some_day(weeks_ahead=3)
    long = {"start_date": first.isoformat(), "end_date": (first + timedelta(31)).isoformat()}
    for body in (
        {"horizon": past, "room_ids": [world.room_id]},
        {"horizon": long, "room_ids": [world.room_id]},
        {"horizon": horizon(), "room_ids": []},
    ):
        response = await gateway.post(OPTIMIZATIONS, json=body, headers=coordinator)
        assert_problem(response, 422)


async def test_only_planners_may_ask_read_or_decide(
    gateway: httpx.AsyncClient, world: World, viewer: dict[str, str], surgeon: dict[str, str]
) -> None:
    for headers in (viewer, surgeon):
        body = {"horizon": horizon(), "room_ids": [world.room_id]}
        assert (await gateway.post(OPTIMIZATIONS, json=body, headers=headers)).status_code == 403
        assert (await gateway.get(OPTIMIZATIONS, headers=headers)).status_code == 403


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)
