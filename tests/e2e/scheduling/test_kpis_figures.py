"""KPIs through the gateway: a world's room with cases booked, run and cancelled by the API.

The test day in the world's room (open 07:00-19:00 local, 720 minutes), hospital local times:

    case  booked (expected 90, setup 20, cleanup 15)  what happens
    A     08:00-09:30                                 wheels 08:03-09:43 (100 minutes)
    B     11:00-12:30                                 wheels 10:13-11:33 (80 minutes)
    C     15:00-16:30                                 cancelled today, weeks before its day

Surgery 100 + 80 = 180 of 720. Occupancy A 07:43-09:58 and B 09:53-11:48, merged 07:43-11:48 =
245 of 720. Turnover A out 09:43 → B in 10:13 = 30. First case A in 3 minutes late: on time.
Undertime 720 - 245 = 475. Booked 3, cancelled 1 (not on its day). Durations +10 and -10:
bias 0, absolute error 10, ratio (100/90 + 80/90) / 2 = 1.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.scheduling.cases import book, local, move, request_case
from tests.e2e.scheduling.conftest import SCHEDULING, World, assert_problem, some_day

KPIS = f"{SCHEDULING}/kpis"


async def _ran(
    gateway: httpx.AsyncClient,
    headers: dict[str, str],
    case: dict[str, Any],
    came_in: str,
    went_out: str,
) -> None:
    for action, at in (("wheels-in", came_in), ("wheels-out", went_out)):
        response = await move(gateway, headers, case, action, {"at": at})
        assert response.status_code == 200, response.text


async def _room_figures(
    gateway: httpx.AsyncClient, headers: dict[str, str], world: World
) -> dict[str, Any]:
    day = str(some_day())
    response = await gateway.get(KPIS, params={"from": day, "to": day}, headers=headers)
    assert response.status_code == 200, response.text
    [room] = [r for r in response.json()["rooms"] if r["room_id"] == world.room_id]
    return room


async def test_a_rooms_day_gives_the_hand_computed_figures(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str], viewer: dict[str, str]
) -> None:
    cases = []
    for hour in (8, 11, 15):
        case = await request_case(gateway, coordinator, world)
        cases.append(await book(gateway, coordinator, world, case, local(hour)))
    a, b, c = cases
    await _ran(gateway, coordinator, a, local(8, 3), local(9, 43))
    await _ran(gateway, coordinator, b, local(10, 13), local(11, 33))
    cancelled = await move(gateway, coordinator, c, "cancel", {"reason_code": "no_bed"})
    assert cancelled.status_code == 200, cancelled.text

    room = await _room_figures(gateway, viewer, world)
    assert (room["code"], room["name"]) == (world.room["code"], world.room["name"])
    assert room["utilization"] == {
        "cases": 2,
        "open_minutes": 720,
        "surgery_minutes": 180,
        "occupied_minutes": 245,
        "raw": 180 / 720,
        "adjusted": 245 / 720,
    }
    assert room["turnover"] == {"turnovers": 1, "mean_minutes": 30.0, "median_minutes": 30.0}
    assert room["first_case_starts"] == {"room_days": 1, "on_time": 1, "share": 1.0}
    assert room["over_under_time"] == {
        "room_days": 1,
        "overtime_minutes": 0,
        "undertime_minutes": 475,
    }
    assert room["cancellations"] == {
        "booked": 3,
        "cancelled": 1,
        "postponed": 0,
        "same_day": 0,
        "rate": 1 / 3,
        "same_day_rate": 0.0,
    }
    estimates = room["duration_estimates"]
    assert estimates["completed_cases"] == 2
    assert estimates["bias_minutes"] == pytest.approx(0)
    assert estimates["mean_absolute_error_minutes"] == pytest.approx(10)
    assert estimates["mean_ratio"] == pytest.approx(1)
    assert room["block_utilization"] == {
        "occurrences": 0,
        "block_minutes": 0,
        "used_minutes": 0,
        "utilization": None,
    }


async def test_a_room_without_cases_is_open_and_unused(
    gateway: httpx.AsyncClient, world: World, admin: dict[str, str]
) -> None:
    room = await _room_figures(gateway, admin, world)
    assert (room["utilization"]["open_minutes"], room["utilization"]["raw"]) == (720, 0.0)
    assert room["turnover"]["mean_minutes"] is None
    assert room["cancellations"]["rate"] is None


async def test_the_sheet_has_overall_and_per_service_figures_with_its_range(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    await book(gateway, coordinator, world, await request_case(gateway, coordinator, world))
    day = str(some_day())
    body = (await gateway.get(KPIS, params={"from": day, "to": day}, headers=coordinator)).json()
    assert (body["from"], body["to"], body["timezone"]) == (day, day, "Europe/Amsterdam")
    assert body["overall"]["utilization"]["cases"] >= 1
    services = [s["service"] for s in body["services"]]
    assert "orthopaedics" in services and services == sorted(services)
    codes = [r["code"] for r in body["rooms"]]
    assert codes == sorted(codes)


async def test_every_role_reads_kpis_and_no_one_without_a_token(
    gateway: httpx.AsyncClient, viewer: dict[str, str], surgeon: dict[str, str]
) -> None:
    day = str(some_day())
    params = {"from": day, "to": day}
    for headers in (viewer, surgeon):
        assert (await gateway.get(KPIS, params=params, headers=headers)).status_code == 200
    assert_problem(await gateway.get(KPIS, params=params), 401)


async def test_refuses_ranges_backwards_too_long_or_missing(
    gateway: httpx.AsyncClient, viewer: dict[str, str]
) -> None:
    day = some_day()
    too_far = day.replace(year=day.year + 1)
    for params, says in (
        ({"from": str(too_far), "to": str(day)}, "before"),
        ({"from": str(day), "to": str(too_far)}, "at most 92 days"),
    ):
        assert_problem(await gateway.get(KPIS, params=params, headers=viewer), 422, says)
    for params in ({"from": str(day)}, {"to": str(day)}, {"from": "soon", "to": str(day)}):
        assert_problem(await gateway.get(KPIS, params=params, headers=viewer), 422)
