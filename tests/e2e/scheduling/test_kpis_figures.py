"""KPIs through the gateway: cases booked, run and cancelled by the API, in a room of their own.

Cases really take place now (a booking may not start in the past, wheels times may not be ahead
of the clock), so the room and its team work around the clock. NOW is when the test starts,
whole seconds, and every case needs 10 minutes with 5 of setup and 5 of cleanup:

    case  booked             what happens
    A     NOW+2 to NOW+12    wheels NOW-3 to NOW-2 (1 minute)
    B     NOW+22 to NOW+32   wheels NOW-1 to NOW (1 minute)
    C     NOW+42 to NOW+52   planned: counted at its booked times
    D     NOW+62             cancelled now, the same local day

Surgery 1 + 1 + 10 = 12 minutes. Done A and B (wheeled out) of 4 planned; C pending. Occupancy A
NOW-8 to NOW+3 and B NOW-6 to NOW+5, merged 13 minutes, and C NOW+37 to NOW+57, 20: 33. Turnover
A out NOW-2 → B in NOW-1 = 1 minute. First case A wheeled in before its booked start: on time.
Open around the clock: the range's open minutes are all its minutes, no overtime, undertime the
room-day's minutes less 33. Booked 4, cancelled 1 on its day. Durations 1 of 10 expected, twice:
bias -9, error 9, ratio 0.1.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
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

KPIS = f"{SCHEDULING}/kpis"
MINUTE = timedelta(minutes=1)
SHORT = {"expected_duration_minutes": 10, "setup_minutes": 5, "cleanup_minutes": 5}


@pytest.fixture
async def ward(gateway: httpx.AsyncClient, admin: dict[str, str]) -> AsyncIterator[World]:
    """A world open around the clock, where a case booked to start now fits at any hour."""
    made = await round_the_clock_world(gateway, admin)
    yield made
    await retire_world(gateway, admin, made)


def _day_minutes(first: date, last: date) -> int:
    """The minutes of the local dates `first` to `last` (a clock change makes 23 or 25 hours)."""
    start = datetime.combine(first, time(), HOSPITAL)
    end = datetime.combine(last + timedelta(days=1), time(), HOSPITAL)
    return int((end - start) / MINUTE)


async def _ran(
    gateway: httpx.AsyncClient,
    headers: dict[str, str],
    case: dict[str, Any],
    came_in: datetime,
    went_out: datetime,
) -> None:
    for action, at in (("wheels-in", came_in), ("wheels-out", went_out)):
        response = await move(gateway, headers, case, action, {"at": at.isoformat()})
        assert response.status_code == 200, response.text


async def _room_figures(
    gateway: httpx.AsyncClient, headers: dict[str, str], world: World, first: date, last: date
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The sheet of `first` to `last` and its figures of `world`'s room."""
    params = {"from": str(first), "to": str(last)}
    response = await gateway.get(KPIS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    sheet = response.json()
    [room] = [r for r in sheet["rooms"] if r["room_id"] == world.room_id]
    return sheet, room


async def test_cases_run_now_give_the_hand_computed_figures(
    gateway: httpx.AsyncClient, ward: World, coordinator: dict[str, str], viewer: dict[str, str]
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.astimezone(HOSPITAL).date()
    if (now + 80 * MINUTE).astimezone(HOSPITAL).date() != today or (
        (now - 10 * MINUTE).astimezone(HOSPITAL).date() != today
    ):
        pytest.skip("the cases' hour straddles local midnight: they would be two room-days")
    cases = []
    for offset in (2, 22, 42, 62):
        case = await request_case(gateway, coordinator, ward, **SHORT)
        start = (now + offset * MINUTE).isoformat()
        cases.append(await book(gateway, coordinator, ward, case, start))
    a, b, _, d = cases
    await _ran(gateway, coordinator, a, now - 3 * MINUTE, now - 2 * MINUTE)
    await _ran(gateway, coordinator, b, now - MINUTE, now)
    cancelled = await move(gateway, coordinator, d, "cancel", {"reason_code": "no_bed"})
    assert cancelled.status_code == 200, cancelled.text

    first, last = today - timedelta(days=1), today + timedelta(days=1)
    sheet, room = await _room_figures(gateway, viewer, ward, first, last)
    assert (sheet["grace_minutes"], sheet["turnover_cap_minutes"]) == (5, 90)
    assert now <= datetime.fromisoformat(sheet["as_of"].replace("Z", "+00:00"))
    assert (room["code"], room["name"]) == (ward.room["code"], ward.room["name"])
    open_minutes = _day_minutes(first, last)
    assert room["utilization"] == {
        "cases": 3,
        "unrecorded_cases": 0,
        "open_minutes": open_minutes,
        "surgery_minutes": 12,
        "occupied_minutes": 33,
        "raw": 12 / open_minutes,
        "adjusted": 33 / open_minutes,
    }
    assert room["turnover"] == {
        "turnovers": 1,
        "excluded": 0,
        "mean_minutes": 1.0,
        "median_minutes": 1.0,
    }
    assert room["first_case_starts"] == {"room_days": 1, "on_time": 1, "share": 1.0}
    assert room["over_under_time"] == {
        "room_days": 1,
        "overtime_minutes": 0,
        "undertime_minutes": _day_minutes(today, today) - 33,
    }
    assert room["cancellations"] == {
        "booked": 4,
        "cancelled": 1,
        "postponed": 0,
        "same_day": 1,
        "rate": 1 / 4,
        "same_day_rate": 1 / 4,
        "by_reason": [{"reason_code": "no_bed", "cancelled": 1, "postponed": 0, "same_day": 1}],
    }
    assert room["cases"] == {
        "planned": 4,
        "done": 2,
        "given_up": 1,
        "unrecorded": 0,
        "pending": 1,
        "done_share": 2 / 4,
    }
    estimates = room["duration_estimates"]
    assert estimates["completed_cases"] == 2
    assert estimates["bias_minutes"] == pytest.approx(-9)
    assert estimates["mean_absolute_error_minutes"] == pytest.approx(9)
    assert estimates["mean_ratio"] == pytest.approx(0.1)
    assert room["block_utilization"] == {
        "occurrences": 0,
        "block_minutes": 0,
        "used_minutes": 0,
        "utilization": None,
    }


async def test_a_room_without_cases_is_open_and_unused(
    gateway: httpx.AsyncClient, world: World, admin: dict[str, str]
) -> None:
    _, room = await _room_figures(gateway, admin, world, some_day(), some_day())
    assert (room["utilization"]["open_minutes"], room["utilization"]["raw"]) == (720, 0.0)
    assert room["utilization"]["unrecorded_cases"] == 0
    assert room["turnover"] == {
        "turnovers": 0,
        "excluded": 0,
        "mean_minutes": None,
        "median_minutes": None,
    }
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


async def test_narrowed_to_a_room_and_a_surgeon_the_sheet_is_theirs_and_adds_up(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    await book(gateway, coordinator, world, await request_case(gateway, coordinator, world))
    cancelled = await book(
        gateway, coordinator, world, await request_case(gateway, coordinator, world), local(14)
    )
    gone = await move(gateway, coordinator, cancelled, "cancel", {"reason_code": "no_staff"})
    assert gone.status_code == 200, gone.text
    day = some_day()
    first, last = (
        day - timedelta(days=day.weekday()),
        day - timedelta(days=day.weekday()) + timedelta(days=7),
    )
    surgeon_id = world.surgeon["staff_id"]
    params = {
        "from": str(first),
        "to": str(last),
        "room_id": world.room_id,
        "surgeon_id": surgeon_id,
    }
    response = await gateway.get(KPIS, params=params, headers=coordinator)
    assert response.status_code == 200, response.text
    sheet = response.json()
    assert sheet["filters"] == {
        "room_id": world.room_id,
        "specialty": None,
        "surgeon_id": surgeon_id,
    }
    assert [r["room_id"] for r in sheet["rooms"]] == [world.room_id]
    [surgeon] = sheet["surgeons"]
    assert (surgeon["surgeon_id"], surgeon["name"]) == (surgeon_id, world.surgeon["name"])
    overall = sheet["overall"]
    assert overall["cases"]["planned"] == 2 and overall["cases"]["given_up"] == 1
    assert overall["cancellations"]["by_reason"][0]["reason_code"] == "no_staff"
    # Monday to the next Monday: a whole week, then one day.
    assert [(w["from"], w["to"]) for w in sheet["weeks"]] == [
        (str(first), str(first + timedelta(days=6))),
        (str(last), str(last)),
    ]
    assert sum(w["cases"]["planned"] for w in sheet["weeks"]) == 2
    for part in (*sheet["rooms"], surgeon):
        assert {k: part[k] for k in overall} == overall


async def test_refuses_a_filter_that_is_no_id(
    gateway: httpx.AsyncClient, viewer: dict[str, str]
) -> None:
    day = str(some_day())
    for name in ("room_id", "surgeon_id"):
        params = {"from": day, "to": day, name: "theatre-1"}
        assert_problem(await gateway.get(KPIS, params=params, headers=viewer), 422)
