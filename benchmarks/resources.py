"""List, read and write latency of the resources service through the gateway, p50 and p99.

Each operation runs `CONCURRENCY` callers for `REQUESTS` calls each, against the demo hospital
that `make up` seeds. The baseline, measured in the same run and the same way, is the service's
unauthenticated `/healthz` through the gateway: the ratios say what each operation costs over
the proxy hop, the token check and the event loop, whatever the machine's load.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import httpx

from benchmarks.gateway import GATEWAY, gateway_client

API = f"{GATEWAY}/api/resources"
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "60"))
COORDINATOR = {"username": "coordinator@example.org", "password": "demo-password"}
TAG = "RESBENCH"  # the benchmark's rooms, kept between runs (parked in maintenance)
HOURS = {day: [{"start": "07:30", "end": "17:30"}] for day in ("monday", "tuesday", "wednesday")}

Call = Callable[[int, int], Awaitable[httpx.Response]]


async def latencies(call: Call) -> tuple[list[float], int]:
    """Milliseconds of every successful call (`call(caller, i)`), and how many failed."""
    times: list[float] = []
    failures = 0

    async def caller(number: int) -> None:
        nonlocal failures
        for i in range(REQUESTS):
            started = time.perf_counter()
            response = await call(number, i)
            if response.is_success:
                times.append((time.perf_counter() - started) * 1000)
            else:
                failures += 1

    await asyncio.gather(*(caller(n) for n in range(CONCURRENCY)))
    return times, failures


def percentiles(times: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[98]


async def main() -> None:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with gateway_client(limits=limits, timeout=30) as client:
        token = (await client.post(f"{GATEWAY}/api/auth/token", data=COORDINATOR)).json()
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        rooms = await _bench_rooms(client, auth)
        etags = [r.headers["ETag"] for r in rooms]
        room_ids = [r.json()["room_id"] for r in rooms]
        any_room = (await client.get(f"{API}/operating-rooms", headers=auth)).json()["items"][0]
        start = date.today() + timedelta(days=7)
        window = {"from": start.isoformat(), "to": (start + timedelta(days=27)).isoformat()}

        async def write(n: int, i: int) -> httpx.Response:
            body = _room(n, "active", name=f"Bench {i}")
            headers = {**auth, "If-Match": etags[n]}
            response = await client.put(
                f"{API}/operating-rooms/{room_ids[n]}", json=body, headers=headers
            )
            etags[n] = response.headers.get("ETag", etags[n])
            return response

        operations: dict[str, Call] = {
            "baseline GET /healthz": lambda n, i: client.get(f"{API}/healthz"),
            "list rooms (50)": lambda n, i: client.get(f"{API}/operating-rooms", headers=auth),
            "list staff (50)": lambda n, i: client.get(
                f"{API}/staff", params={"limit": 50}, headers=auth
            ),
            "read a room": lambda n, i: client.get(
                f"{API}/operating-rooms/{any_room['room_id']}", headers=auth
            ),
            "write a room (PUT, If-Match)": write,
            "availability, 4 weeks, all": lambda n, i: client.get(
                f"{API}/availability", params=window, headers=auth
            ),
        }
        results = {name: await latencies(call) for name, call in operations.items()}
        await _park(client, auth, room_ids, etags)
    _report(results)


def _report(results: dict[str, tuple[list[float], int]]) -> None:
    base_p50, base_p99 = percentiles(results["baseline GET /healthz"][0])
    calls = CONCURRENCY * REQUESTS
    print(f"resources benchmark through the gateway ({CONCURRENCY} callers x {REQUESTS} calls)")
    print(f"  {'operation':32} {'p50 ms':>8} {'p99 ms':>8} {'p50/base':>9} {'p99/base':>9}")
    for name, (times, failures) in results.items():
        if not times:
            print(f"  {name:32} all {calls} calls failed")
            continue
        p50, p99 = percentiles(times)
        note = f"  ({failures} failed)" if failures else ""
        print(
            f"  {name:32} {p50:8.1f} {p99:8.1f} {p50 / base_p50:9.1f} {p99 / base_p99:9.1f}{note}"
        )


async def _bench_rooms(client: httpx.AsyncClient, auth: dict[str, str]) -> list[httpx.Response]:
    """One room per caller, so that concurrent writes never meet on one ETag: those an earlier
    run parked, put back in service, else new ones."""
    params: dict[str, str | int] = {"q": TAG, "limit": 500}
    listed = await client.get(f"{API}/operating-rooms", params=params, headers=auth)
    listed.raise_for_status()
    known = {room["code"]: room for room in listed.json()["items"]}
    made = []
    for n in range(CONCURRENCY):
        body = _room(n, "active")
        if (earlier := known.get(body["code"])) is None:
            response = await client.post(f"{API}/operating-rooms", json=body, headers=auth)
        else:
            headers = {**auth, "If-Match": f'"{earlier["version"]}"'}
            response = await client.put(
                f"{API}/operating-rooms/{earlier['room_id']}", json=body, headers=headers
            )
        response.raise_for_status()
        made.append(response)
    return made


def _room(n: int, status: str, name: str = "Bench") -> dict[str, Any]:
    return {"code": f"{TAG}-{n}", "name": name, "weekly_hours": HOURS, "status": status}


async def _park(
    client: httpx.AsyncClient, auth: dict[str, str], room_ids: list[str], etags: list[str]
) -> None:
    """In maintenance, not retired: the next run takes them up again instead of making more."""
    for n, (room_id, tag) in enumerate(zip(room_ids, etags, strict=True)):
        await client.put(
            f"{API}/operating-rooms/{room_id}",
            json=_room(n, "maintenance"),
            headers={**auth, "If-Match": tag},
        )
