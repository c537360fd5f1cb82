"""`make chaos`: commands streamed through the gateway while the broker is SIGKILLed, PostgreSQL
restarted and a service SIGKILLed, several times each; then every acknowledged write is looked
for in its owner, on Kafka and in the read model that consumes it.

It prints the counts (acknowledged, lost, duplicated, dead-lettered, 5xx by code and fault) and
fails on any loss, duplicate, dead letter or 500. Whatever happens, the stack is started again
and waited for before it returns. `--short` (in `make test`) inflicts each fault once.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx

from benchmarks.chaos import checks, faults, kafka_log
from benchmarks.chaos.ledger import CALM, Findings, Ledger, Verdict
from benchmarks.chaos.stream import ALL_DAY, RESOURCES, SCHEDULING, Stream, run_tag
from benchmarks.gateway import GATEWAY, gateway_client
from tests.conftest import KAFKA as TEST_KAFKA

# The broker as its admin user, as the tests reach it (tests/conftest.py).
KAFKA = TEST_KAFKA
COORDINATOR = {"username": "coordinator@example.org", "password": "demo-password"}


@dataclass(frozen=True)
class Plan:
    rounds: int  # of each fault
    writers: int
    pause: float  # between one writer's commands
    calm_seconds: float  # before, between and after the faults
    broker_hold: float  # how long the broker stays dead
    postgres_hold: float  # how long PostgreSQL stays stopped
    settle_seconds: float = 90  # for the read model to catch up afterwards


SHORT = Plan(rounds=1, writers=2, pause=0.5, calm_seconds=3, broker_hold=5, postgres_hold=4)
LONG = Plan(rounds=3, writers=3, pause=0.2, calm_seconds=8, broker_hold=15, postgres_hold=8)


async def main() -> None:
    """The long run, as `make bench` calls every benchmark."""
    if not await run(LONG):
        raise SystemExit(1)


async def run(plan: Plan) -> bool:
    started = time.monotonic()
    tag, ledger, surgeon = run_tag(), Ledger(), None
    async with gateway_client(timeout=15) as client:
        auth = await _signed_in(client)
        try:
            surgeon = await _surgeon(client, auth, tag)
            marks = await kafka_log.mark(KAFKA)
            await _stream_through_faults(client, auth, tag, surgeon, ledger, plan)
            findings = await _check(client, auth, tag, surgeon, ledger, marks, plan)
        except Exception as error:  # reported below, after the stack is back
            findings = Findings(broken=f"{type(error).__name__}: {error}")
        finally:
            unready = await faults.restore(GATEWAY)
            try:
                auth.update(await _signed_in(client))
                await checks.tidy(client, auth, tag, surgeon)
            except httpx.HTTPError as error:
                print(f"  tidying up failed ({error}); the run's records start with {tag}")
    verdict = Verdict(ledger, findings)
    print(
        f"chaos run {tag}: {plan.rounds} round(s) of broker SIGKILL, PostgreSQL restart, "
        f"service SIGKILL; {time.monotonic() - started:.0f} s"
    )
    for line in verdict.lines():
        print(f"  {line}")
    if unready:
        print(f"  NOT READY after the run: {', '.join(unready)}")
    return verdict.passed and not unready


async def _stream_through_faults(client, auth, tag, surgeon, ledger, plan: Plan) -> None:
    phase = [CALM]
    stream = Stream(client, auth, tag, surgeon["staff_id"], ledger, lambda: phase[0], plan.pause)
    stop = asyncio.Event()
    streaming = asyncio.create_task(stream.run(stop, plan.writers))
    began = time.monotonic()
    try:
        for fault in faults.rounds(plan.rounds, plan.broker_hold, plan.postgres_hold):
            await asyncio.sleep(plan.calm_seconds)
            auth.update(await _signed_in(client))  # a long run outlives an access token
            print(f"  {fault.name} at {time.monotonic() - began:.0f} s", flush=True)
            phase[0] = fault.name
            try:
                await fault.inflict()
                await asyncio.sleep(fault.hold_seconds)
            finally:
                await fault.mend()
                phase[0] = CALM
        await asyncio.sleep(plan.calm_seconds)
    finally:
        stop.set()
        await streaming


async def _check(client, auth, tag, surgeon, ledger, marks, plan: Plan) -> Findings:
    unready = await faults.unready(GATEWAY)
    if unready:
        raise RuntimeError(f"not ready after the faults: {', '.join(unready)}")
    auth.update(await _signed_in(client))
    findings = Findings()
    await checks.check_rooms(client, auth, tag, ledger, findings, plan.settle_seconds)
    held = await checks.check_cases(client, auth, surgeon["staff_id"], ledger, findings)
    rooms = {r["room_id"]: r["version"] for r in await checks.rooms_of_run(client, auth, tag)}
    # Published by the relays while the read model caught up; read back once that is done.
    messages = await kafka_log.since(KAFKA, marks)
    checks.check_events(messages, rooms, {c["surgery_id"] for c in held}, findings)
    return findings


async def _signed_in(client: httpx.AsyncClient) -> dict[str, str]:
    token = await client.post("/api/auth/token", data=COORDINATOR)
    token.raise_for_status()
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def _surgeon(client: httpx.AsyncClient, auth: dict[str, str], tag: str) -> dict:
    """The run's own surgeon, known to scheduling before any case names it."""
    body = {
        "name": f"{tag} Chaos surgeon",
        "role": "surgeon",
        "specialties": ["orthopaedics"],
        "working_pattern": ALL_DAY,
    }
    created = await client.post(f"{RESOURCES}/staff", json=body, headers=auth)
    created.raise_for_status()
    surgeon = created.json()
    deadline = time.monotonic() + 120  # the broker may be restarting (another test's)
    while time.monotonic() < deadline:
        known = await client.get(
            f"{SCHEDULING}/read-model/staff/{surgeon['staff_id']}", headers=auth
        )
        if known.status_code == 200:
            return surgeon
        await asyncio.sleep(0.2)
    raise RuntimeError("scheduling never learnt of the run's surgeon")
