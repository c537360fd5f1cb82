"""SRE sees bookings and their refusals on the scheduling service's own metrics port."""

from __future__ import annotations

import re

import httpx

from tests.conftest import service_url
from tests.e2e.scheduling.cases import local
from tests.e2e.scheduling.conftest import SURGERIES, World

METRICS = f"{service_url('scheduling')}/metrics"


async def _counter(name: str, **labels: str) -> float:
    async with httpx.AsyncClient() as direct:
        text = (await direct.get(METRICS)).text
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    found = re.search(rf"^{name}\{{{re.escape(wanted)}\}} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


async def test_counts_bookings_refusals_and_the_conflicts_named(
    gateway: httpx.AsyncClient, world: World, coordinator: dict[str, str]
) -> None:
    # 09:00 on the test day in the hospital's zone, with the offset that day has there.
    start = local(9)
    before = {
        "booked": await _counter("scheduling_bookings_total", outcome="booked"),
        "refused": await _counter("scheduling_bookings_total", outcome="refused"),
        "clash": await _counter("scheduling_booking_conflicts_total", code="room_double_booked"),
    }
    first, second = [
        (await gateway.post(SURGERIES, json=world.surgery_body(), headers=coordinator)).json()
        for _ in range(2)
    ]
    booked = await gateway.put(
        f"{SURGERIES}/{first['surgery_id']}/booking",
        json=world.booking_body(start),
        headers=coordinator,
    )
    assert booked.status_code == 200, booked.text
    refused = await gateway.put(
        f"{SURGERIES}/{second['surgery_id']}/booking",
        json=world.booking_body(start),
        headers=coordinator,
    )
    assert refused.status_code == 409, refused.text

    # Other bookings may be made at the same time: at least ours are counted.
    assert await _counter("scheduling_bookings_total", outcome="booked") >= before["booked"] + 1
    assert await _counter("scheduling_bookings_total", outcome="refused") >= before["refused"] + 1
    clashes = await _counter("scheduling_booking_conflicts_total", code="room_double_booked")
    assert clashes >= before["clash"] + 1
