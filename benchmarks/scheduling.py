"""Booking throughput and latency of the scheduling service through the gateway, p50 and p99.

On a corner of its own (per caller a room, a surgeon, an anaesthetist and a C-arm unit, made
through resources and waited for until scheduling's read model holds them), `CONCURRENCY`
callers each book `REQUESTS` cases into their own room, one slot after another (nothing
contested), then move each case and dry-run another move. Then `BURSTS` bursts of `BURST`
callers book as many cases into ONE slot of one room: exactly one must win, the rest get `409`
naming it. The baseline, measured in the same run and the same way, is scheduling's
unauthenticated `/healthz` through the gateway: the ratios say what a booking costs over the
proxy hop, whatever the machine's load. The cases are cancelled and the corner retired after.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from benchmarks.gateway import GATEWAY, gateway_client
from benchmarks.scheduling_corner import (
    BURST,
    BURSTS,
    CONCURRENCY,
    COORDINATOR,
    HOSPITAL,
    REQUESTS,
    SCHEDULING,
    SETUP,
    SLOT,
    Corner,
    make,
    request_cases,
    tidy,
)

Call = Callable[[int, int], Awaitable[httpx.Response]]


@dataclass
class Timing:
    """Milliseconds of each call that got the answer it should, failures, wall-clock seconds."""

    times: list[float] = field(default_factory=list)
    failures: int = 0
    wall: float = 0.0


async def measured(call: Call, callers: int, requests: int, ok: tuple[int, ...] = (200,)) -> Timing:
    """`callers` concurrent callers, each making `requests` calls `call(caller, i)` in turn."""
    timing = Timing()

    async def caller(number: int) -> None:
        for i in range(requests):
            started = time.perf_counter()
            response = await call(number, i)
            if response.status_code in ok:
                timing.times.append((time.perf_counter() - started) * 1000)
            else:
                timing.failures += 1

    started = time.perf_counter()
    await asyncio.gather(*(caller(n) for n in range(callers)))
    timing.wall = time.perf_counter() - started
    return timing


def percentiles(times: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[98]


def slot(number: int) -> str:
    """The start of the `number`-th 80-minute slot of a room, from a day ten weeks ahead."""
    first = date.today() + timedelta(weeks=10)
    midnight = datetime(first.year, first.month, first.day, tzinfo=HOSPITAL)
    return (midnight + SLOT * number + timedelta(minutes=SETUP)).isoformat()


def placement(corner: Corner, caller: int, number: int) -> dict[str, Any]:
    return {
        "room_id": corner.rooms[caller]["room_id"],
        "start": slot(number),
        "staff": [{"staff_id": corner.anaesthetists[caller]["staff_id"], "role": "anaesthetist"}],
        "equipment_unit_ids": [corner.c_arms["units"][caller]["unit_id"]],
    }


async def main() -> None:
    limits = httpx.Limits(max_connections=BURST, max_keepalive_connections=BURST)
    async with gateway_client(limits=limits, timeout=60) as client:
        token = (await client.post(f"{GATEWAY}/api/auth/token", data=COORDINATOR)).json()
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        corner = await make(client, auth)
        await request_cases(client, auth, corner)
        results = await _run(client, auth, corner)
        bursts = [await _burst(client, auth, corner, n) for n in range(BURSTS)]
        await tidy(client, auth, corner)
    _report(results, bursts)


async def _run(
    client: httpx.AsyncClient, auth: dict[str, str], corner: Corner
) -> dict[str, Timing]:
    def booking(caller: int, i: int) -> str:
        return f"{SCHEDULING}/surgeries/{corner.cases[caller][i]}/booking"

    operations: dict[str, Call] = {
        "baseline GET /healthz": lambda n, i: client.get(f"{SCHEDULING}/healthz"),
        "book (PUT booking)": lambda n, i: client.put(
            booking(n, i), json=placement(corner, n, i), headers=auth
        ),
        "move (PUT booking again)": lambda n, i: client.put(
            booking(n, i), json=placement(corner, n, REQUESTS + i), headers=auth
        ),
        "dry run (POST booking/check)": lambda n, i: client.post(
            f"{booking(n, i)}/check", json=placement(corner, n, 2 * REQUESTS + i), headers=auth
        ),
    }
    return {name: await measured(call, CONCURRENCY, REQUESTS) for name, call in operations.items()}


async def _burst(
    client: httpx.AsyncClient, auth: dict[str, str], corner: Corner, number: int
) -> tuple[Timing, list[int]]:
    """`BURST` callers at once, each booking its own case into the same slot."""
    body = {
        "room_id": corner.burst_room["room_id"],
        "start": slot(number * 2),
        "staff": [],
        "equipment_unit_ids": [],
    }
    statuses: list[int] = []

    async def call(caller: int, _: int) -> httpx.Response:
        case = corner.burst_cases[number][caller]
        response = await client.put(
            f"{SCHEDULING}/surgeries/{case}/booking", json=body, headers=auth
        )
        statuses.append(response.status_code)
        return response

    return await measured(call, BURST, 1, ok=(200, 409)), statuses


def _report(results: dict[str, Timing], bursts: list[tuple[Timing, list[int]]]) -> None:
    base_p50, base_p99 = percentiles(results["baseline GET /healthz"].times)
    print(
        f"scheduling benchmark through the gateway ({CONCURRENCY} callers x {REQUESTS} calls; "
        f"{BURSTS} bursts of {BURST} callers on one slot)"
    )
    print(
        f"  {'operation':32} {'p50 ms':>8} {'p99 ms':>8} {'p50/base':>9} {'p99/base':>9}"
        f" {'per s':>7}"
    )
    burst = Timing(times=[t for timing, _ in bursts for t in timing.times])
    burst.wall = sum(timing.wall for timing, _ in bursts)
    burst.failures = sum(timing.failures for timing, _ in bursts)
    for name, timing in {**results, "contested burst (PUT, 1 slot)": burst}.items():
        if not timing.times:
            print(f"  {name:32} every call failed")
            continue
        p50, p99 = percentiles(timing.times)
        rate = len(timing.times) / timing.wall
        note = f"  ({timing.failures} failed)" if timing.failures else ""
        print(
            f"  {name:32} {p50:8.1f} {p99:8.1f} {p50 / base_p50:9.1f} {p99 / base_p99:9.1f}"
            f" {rate:7.0f}{note}"
        )
    booked = results["book (PUT booking)"]
    print(
        f"  booking throughput: {len(booked.times) / booked.wall:.0f} bookings/s "
        f"({len(booked.times)} bookings in {booked.wall:.1f} s, {CONCURRENCY} concurrent callers)"
    )
    for number, (_, statuses) in enumerate(bursts, start=1):
        won, refused = statuses.count(200), statuses.count(409)
        verdict = "ok" if (won, refused) == (1, BURST - 1) else "WRONG"
        print(f"  burst {number}: {won} booked, {refused} refused with 409 ({verdict})")
