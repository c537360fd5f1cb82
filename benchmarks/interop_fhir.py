"""FHIR Appointment search for a day of the demo hospital through the gateway, p50 and p99.

The day is the demo's busiest in the four weeks around today (the most Appointments booked,
under way or done). Each search is `GET /fhir/Appointment?date=<day>&status=booked,arrived,
fulfilled`, the day's list as a theatre display asks for it, whole on one page; the same day
with `_include=location`, and with every status (cancelled ones too, which e2e runs leave
behind), are measured beside it, each beside the interop service's unauthenticated `/healthz`
through the gateway as the baseline, at 1, 2 and 8 callers at once (`BENCH_CONCURRENCY` runs
one of them alone; `BENCH_REQUESTS` sets the calls per caller, else 300 calls in all).

The target (issue 19: a day's search p99 under 50 ms) is judged at ONE caller: it is the time
one client waits for its day. On the two-core machine the whole stack shares, interop's two
workers, PostgreSQL, nginx and the other services compete for the same cores: at 2 callers
every core is busy, at 8 the calls queue, and `/healthz`, which does no work, has its own p99
go from ~12 ms to ~95-250 ms. Their p99 then measures the machine's throughput (a search costs
~5 ms of interop CPU beside ~1 ms for `/healthz`), not the search; the ratios to the baseline at
the same load show what the search itself adds.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from benchmarks.gateway import GATEWAY, gateway_client
from benchmarks.resources import Call, percentiles

FHIR = f"{GATEWAY}/fhir"
HEALTH = f"{GATEWAY}/api/interop/healthz"
COORDINATOR = {"username": "coordinator@example.org", "password": "demo-password"}
HOSPITAL = ZoneInfo("Europe/Amsterdam")
TARGET_P99_MS = 50.0
LIVE = "booked,arrived,fulfilled"
# The callers at once, side by side; the target is judged at JUDGED (see the module's text).
LEVELS = (int(os.environ["BENCH_CONCURRENCY"]),) if "BENCH_CONCURRENCY" in os.environ else (1, 2, 8)
JUDGED = 1
CALLS = 300


async def main() -> None:
    most = max(LEVELS)
    limits = httpx.Limits(max_connections=most, max_keepalive_connections=most)
    async with gateway_client(limits=limits, timeout=30) as client:
        token = (await client.post(f"{GATEWAY}/api/auth/token", data=COORDINATOR)).json()
        auth = {
            "Authorization": f"Bearer {token['access_token']}",
            "Accept": "application/fhir+json",
        }
        day, booked = await busiest_day(client, auth)
        search = {"date": day.isoformat(), "status": LIVE, "_count": "500"}
        with_rooms = {**search, "_include": "Appointment:location"}
        every_status = {"date": day.isoformat(), "_count": "500"}
        operations: dict[str, Call] = {
            "baseline GET /healthz": lambda n, i: client.get(HEALTH),
            f"Appointment?date={day} ({booked})": lambda n, i: client.get(
                f"{FHIR}/Appointment", params=search, headers=auth
            ),
            "  the same, _include=location": lambda n, i: client.get(
                f"{FHIR}/Appointment", params=with_rooms, headers=auth
            ),
            "  the same day, every status": lambda n, i: client.get(
                f"{FHIR}/Appointment", params=every_status, headers=auth
            ),
        }
        for callers in LEVELS:
            calls = int(os.environ.get("BENCH_REQUESTS", 0)) or max(CALLS // callers, 1)
            results = {
                name: await _timed(call, callers, calls) for name, call in operations.items()
            }
            _report(results, callers, calls)


async def _timed(call: Call, callers: int, calls: int) -> tuple[list[float], int]:
    """Milliseconds of every successful call with `callers` at once, `calls` each, and how
    many failed."""
    times: list[float] = []
    failures = 0

    async def caller(number: int) -> None:
        nonlocal failures
        for i in range(calls):
            started = time.perf_counter()
            response = await call(number, i)
            if response.is_success:
                times.append((time.perf_counter() - started) * 1000)
            else:
                failures += 1

    await asyncio.gather(*(caller(n) for n in range(callers)))
    return times, failures


async def busiest_day(client: httpx.AsyncClient, auth: dict[str, str]) -> tuple[date, int]:
    """The local date with the most Appointments in the four weeks around today, and how many."""
    today = date.today()
    params = {
        "date": [f"ge{today - timedelta(days=14)}", f"le{today + timedelta(days=14)}"],
        "status": LIVE,
        "_count": "500",
    }
    starts: Counter[date] = Counter()
    url: str | None = f"{FHIR}/Appointment"
    while url:
        response = await client.get(url, params=params, headers=auth)
        response.raise_for_status()
        bundle = response.json()
        for entry in bundle.get("entry", []):
            start = entry["resource"].get("start")
            if start:
                starts[datetime.fromisoformat(start).astimezone(HOSPITAL).date()] += 1
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
        params = {}
    if not starts:
        raise SystemExit("no Appointments in the four weeks around today: is the demo seeded?")
    return starts.most_common(1)[0]


def _report(results: dict[str, tuple[list[float], int]], callers: int, calls: int) -> None:
    base_p50, base_p99 = percentiles(results["baseline GET /healthz"][0])
    print(f"interop FHIR benchmark through the gateway ({callers} callers x {calls} calls)")
    print(f"  {'operation':40} {'p50 ms':>8} {'p99 ms':>8} {'p50/base':>9} {'p99/base':>9}")
    for name, (times, failures) in results.items():
        if len(times) < 2:
            print(f"  {name:40} {failures} of {callers * calls} calls failed")
            continue
        p50, p99 = percentiles(times)
        note = f"  ({failures} failed)" if failures else ""
        print(
            f"  {name:40} {p50:8.1f} {p99:8.1f} {p50 / base_p50:9.1f} {p99 / base_p99:9.1f}{note}"
        )
    day_search = next(name for name in results if name.startswith("Appointment?"))
    _, p99 = percentiles(results[day_search][0] or [0.0, 0.0])
    if callers == JUDGED:
        verdict = "met" if p99 < TARGET_P99_MS else "MISSED"
        print(f"  target: a day's Appointment search p99 < {TARGET_P99_MS:.0f} ms: {verdict}")
    else:
        print(f"  (the target is judged at {JUDGED} caller; this load shows the machine's share)")
