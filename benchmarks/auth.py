"""Sign-ins per second, and requests per second carrying a verified token, on the running stack.

Measured against the services' own ports (the gateway's rate limits would cap the figures, which
is what they are for). Each figure comes with its baseline from the same run, so the ratios say
what the work costs rather than how busy the machine was:
- a sign-in against one argon2id check on one core, times the cores (the floor a sign-in is
  bound by: 19 MiB and two passes, on purpose);
- a protected endpoint of another service (the optimizer's run list: JWT verification, the
  user-access guard and one query) against that service's unauthenticated `/healthz`.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx
from auth_service.domain.passwords import hash_password, password_matches

AUTH = os.environ.get("BENCH_AUTH_URL", "http://127.0.0.1:8001")
OPTIMIZER = os.environ.get("BENCH_OPTIMIZER_URL", "http://127.0.0.1:8004")
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
DEMO = {"username": "coordinator@example.org", "password": "demo-password"}
ADMIN = {"username": "admin@example.org", "password": "demo-password"}
PASSWORD = "bench password, long enough"


async def rate(call: Callable[[int], Awaitable[httpx.Response]], seconds: float = SECONDS) -> float:
    """Successful calls per second with `CONCURRENCY` callers in a loop (`call(caller_number)`)."""
    done, failures = 0, 0
    deadline = time.perf_counter() + seconds

    async def caller(number: int) -> None:
        nonlocal done, failures
        while time.perf_counter() < deadline:
            response = await call(number)
            if response.is_success:
                done += 1
            else:
                failures += 1

    started = time.perf_counter()
    await asyncio.gather(*(caller(n) for n in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    if failures:
        print(f"  ({failures} calls failed)")
    return done / elapsed


def argon2_checks_per_second(seconds: float = 3.0) -> float:
    stored, count = hash_password(DEMO["password"]), 0
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        password_matches(stored, DEMO["password"])
        count += 1
    return count / (time.perf_counter() - started)


async def main() -> None:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        # One account per caller: sign-ins in flight count against their account name until
        # they succeed, so one account allows only a handful at once (on purpose).
        admin = (await client.post(f"{AUTH}/token", data=ADMIN)).json()["access_token"]
        emails = await _bench_users(client, admin)
        logins = await rate(
            lambda n: client.post(
                f"{AUTH}/token", data={"username": emails[n], "password": PASSWORD}
            )
        )
        one_core = await asyncio.to_thread(argon2_checks_per_second)
        token = (await client.post(f"{AUTH}/token", data=DEMO)).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "X-Request-ID": str(uuid.uuid4())}
        verified = await rate(
            lambda _: client.get(f"{OPTIMIZER}/runs", params={"limit": 1}, headers=headers)
        )
        plain = await rate(lambda _: client.get(f"{OPTIMIZER}/healthz"))
    cores = os.cpu_count() or 1
    print(f"auth benchmark ({CONCURRENCY} concurrent callers, {SECONDS:.0f} s each, {cores} cores)")
    print(f"  sign-ins:            {logins:8.1f} /s")
    print(
        f"  argon2id checks:     {one_core:8.1f} /s on one core, {one_core * cores:.1f} /s on all"
    )
    print(f"  ratio sign-ins / argon2id on all cores: {logins / (one_core * cores):.2f}")
    print(f"  verified-token GETs: {verified:8.1f} /s  (optimizer GET /runs?limit=1)")
    print(f"  unauthenticated:     {plain:8.1f} /s  (optimizer GET /healthz)")
    print(f"  ratio verified / unauthenticated: {verified / plain:.2f}")


async def _bench_users(client: httpx.AsyncClient, admin_token: str) -> list[str]:
    """Throwaway viewer accounts of this run, one per caller."""
    run, emails = uuid.uuid4().hex[:8], []
    for n in range(CONCURRENCY):
        email = f"bench-{run}-{n}@example.org"
        body = {"email": email, "display_name": "Bench", "roles": ["viewer"], "password": PASSWORD}
        response = await client.post(
            f"{AUTH}/users", json=body, headers={"Authorization": f"Bearer {admin_token}"}
        )
        response.raise_for_status()
        emails.append(email)
    return emails
