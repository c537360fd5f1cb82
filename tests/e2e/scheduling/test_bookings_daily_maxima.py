"""A booking honours a person's part days and on-call days set in resources: that local date's
maximum, else its weekday's, else their every-day one, as the default problem plans them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.e2e.scheduling.cases import local, request_case
from tests.e2e.scheduling.conftest import (
    SURGERIES,
    World,
    assert_problem,
    set_daily_maxima,
    some_day,
)


async def test_a_booking_keeps_within_the_maximum_of_its_weekday_and_date(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str], admin: dict[str, str]
) -> None:
    wednesday = some_day()
    thursday, friday = wednesday + timedelta(days=1), wednesday + timedelta(days=2)
    surgeon = world.surgeon
    await set_daily_maxima(
        gateway,
        admin,
        surgeon,
        every_day=600,
        by_weekday={"friday": 120},
        by_date={wednesday.isoformat(): 720},
    )

    # The surgeon alone, so only their maximum is judged.
    def case_of(minutes: int) -> dict[str, Any]:
        return {"expected_duration_minutes": minutes, "staff_roles_needed": []}

    def at(start: str) -> dict[str, Any]:
        return world.booking_body(start, staff=[])

    three_hours = await request_case(gateway, coordinator, world, **case_of(180))
    booking = f"{SURGERIES}/{three_hours['surgery_id']}/booking"
    on_friday = await gateway.put(booking, json=at(local(9, day=friday)), headers=coordinator)
    problem = assert_problem(on_friday, 409, surgeon["name"], "maximum of 120")
    assert problem["title"] == "Booking conflicts"
    assert [(c["code"], c["resource_type"], c["resource_id"]) for c in problem["conflicts"]] == [
        ("staff_over_daily_maximum", "staff", surgeon["staff_id"])
    ]
    on_thursday = await gateway.put(booking, json=at(local(9, day=thursday)), headers=coordinator)
    assert on_thursday.status_code == 200, on_thursday.text

    # 660 minutes: over every day's 600, within the on-call Wednesday's 720.
    long_day = await request_case(gateway, coordinator, world, **case_of(660))
    booking = f"{SURGERIES}/{long_day['surgery_id']}/booking"
    a_week_later = await gateway.post(
        f"{booking}/check",
        json=at(local(7, 20, day=wednesday + timedelta(days=7))),
        headers=coordinator,
    )
    assert [c["code"] for c in a_week_later.json()["conflicts"]] == ["staff_over_daily_maximum"]
    on_call = await gateway.put(booking, json=at(local(7, 20, day=wednesday)), headers=coordinator)
    assert on_call.status_code == 200, on_call.text
