"""The faults, inflicted with the local stack's own control scripts, and the stack put back.

The broker is SIGKILLed (`kafka.sh kill9`) and started again; PostgreSQL is stopped (a fast
shutdown: every backend terminated, then connections refused) and started again; a service's
process group is SIGKILLed (`services.sh kill9`) and started again (`services.sh start`, which
waits for /readyz). The scripts act on the stack `STACK` names (`make test`: its own test stack).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.gateway import gateway_tls

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / "deploy/local"
SERVICES = ("auth", "resources", "scheduling", "optimizer", "interop")


@dataclass(frozen=True)
class Fault:
    name: str  # the phase the ledger files answers under
    inflict: Callable[[], Awaitable[None]]
    mend: Callable[[], Awaitable[None]]
    hold_seconds: float  # how long the fault lasts before it is mended


def broker_killed(hold_seconds: float = 10) -> Fault:
    return Fault("broker SIGKILL", lambda: script("kafka.sh", "kill9"), start_broker, hold_seconds)


def postgres_restarted(hold_seconds: float = 6) -> Fault:
    return Fault(
        "PostgreSQL restart",
        lambda: script("postgres.sh", "stop"),
        lambda: script("postgres.sh", "start"),
        hold_seconds,
    )


def service_killed(service: str) -> Fault:
    return Fault(
        f"{service} SIGKILL",
        lambda: script("services.sh", "kill9", service),
        lambda: script("services.sh", "start", service),
        0,
    )


def rounds(count: int, broker_hold: float, postgres_hold: float) -> list[Fault]:
    """`count` rounds of each fault; the killed service alternates between the two written to."""
    faults = []
    for n in range(count):
        victim = ("resources", "scheduling")[n % 2]
        faults += [
            broker_killed(broker_hold),
            postgres_restarted(postgres_hold),
            service_killed(victim),
        ]
    return faults


async def start_broker() -> None:
    # After a SIGKILL the broker recovers every log before it listens: on a busy machine that
    # outlasts kafka.sh's 60 s. The process goes on; asking again waits for it once more.
    for attempt in range(3):
        try:
            await script("kafka.sh", "start")
            return
        except RuntimeError:
            if attempt == 2:
                raise
            print("  the broker is still recovering its logs; waiting for it again", flush=True)


async def restore(gateway: str) -> list[str]:
    """Starts whatever is down and waits until every service is ready through the gateway; what
    still is not, by name."""
    for part in ("postgres.sh", "kafka.sh"):
        try:
            if "down" in await script(part, "status"):
                await script(part, "start")
        except RuntimeError as error:
            print(f"restoring: {error}")
    try:
        await script("services.sh", "start")  # leaves running services alone
    except RuntimeError as error:
        print(f"restoring: {error}")
    return await unready(gateway)


async def unready(gateway: str, timeout: float = 120) -> list[str]:
    deadline = asyncio.get_running_loop().time() + timeout
    async with httpx.AsyncClient(base_url=gateway, verify=gateway_tls(), timeout=5) as client:
        while True:
            waiting = [s for s in SERVICES if not await _ready(client, s)]
            if not waiting or asyncio.get_running_loop().time() > deadline:
                return waiting
            await asyncio.sleep(0.5)


async def _ready(client: httpx.AsyncClient, service: str) -> bool:
    try:
        return (await client.get(f"/api/{service}/readyz")).status_code == 200
    except httpx.TransportError:
        return False


async def script(name: str, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        str(LOCAL / name),
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    text = output.decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(
            f"{name} {' '.join(args)} failed ({process.returncode}):\n{text[-1500:]}"
        )
    return text
