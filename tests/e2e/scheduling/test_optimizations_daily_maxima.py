"""A part day and an on-call day set in resources reach scheduling's default problem, through
the staff topic and the read model, as the optimizer's run of it shows."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from tests.e2e.scheduling.cases import request_case
from tests.e2e.scheduling.conftest import OPTIMIZATIONS, World, set_daily_maxima
from tests.e2e.scheduling.test_optimizations_flow import answered, horizon

RUNS = "/api/optimizer/runs"


async def test_a_staff_member_s_part_and_on_call_days_reach_the_default_problem(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str], admin: dict[str, str]
) -> None:
    span = horizon(days=3)
    first = date.fromisoformat(span["start_date"])  # a Wednesday
    on_call = first + timedelta(days=1)
    surgeon = world.surgeon
    await set_daily_maxima(
        gateway,
        admin,
        surgeon,
        every_day=600,
        by_weekday={"wednesday": 240},
        by_date={on_call.isoformat(): 120},
    )
    await request_case(gateway, coordinator, world)

    asked = await gateway.post(
        OPTIMIZATIONS,
        json={"horizon": span, "room_ids": [world.room_id], "time_limit_seconds": 3},
        headers=coordinator,
    )
    assert asked.status_code == 202, asked.text
    done = await answered(gateway, coordinator, asked.json()["request_id"])

    run = await gateway.get(f"{RUNS}/{done['run_id']}", headers=coordinator)
    assert run.status_code == 200, run.text
    [planned] = [s for s in run.json()["problem"]["staff"] if s["staff_id"] == surgeon["staff_id"]]
    # Friday keeps the usual 600 minutes, so only the other two dates are named.
    assert planned["max_minutes_per_day"] == 600
    assert planned["max_minutes_by_date"] == {first.isoformat(): 240, on_call.isoformat(): 120}
