"""What the auth e2e tests share: users of their own, retired afterwards, and waiting for a
revocation to reach a service."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import jwt
import pytest

from tests.e2e.conftest import bearer, create_user
from tests.e2e.test_auth_events import from_now_on  # noqa: F401  (a fixture for this folder)

# One read through auth itself, one through a service that hears of revocations by event.
PROBES = ("/api/auth/me", "/api/resources/operating-rooms")
# The guard re-reads its tables every second; the events take a fraction of that to arrive.
DEADLINE_SECONDS = 10.0

NewUser = Callable[..., Awaitable[tuple[dict[str, Any], str]]]


@pytest.fixture
async def new_user(gateway: httpx.AsyncClient, admin_token: str) -> AsyncIterator[NewUser]:
    """Makes users of the test's own; each is deactivated afterwards, so none stays usable."""
    made: list[str] = []

    async def make(*roles: str) -> tuple[dict[str, Any], str]:
        user, password = await create_user(gateway, admin_token, *roles)
        made.append(user["user_id"])
        return user, password

    yield make
    for user_id in made:
        await gateway.post(f"/api/auth/users/{user_id}/deactivate", headers=bearer(admin_token))


async def answers(gateway: httpx.AsyncClient, token: str) -> dict[str, httpx.Response]:
    return {path: await gateway.get(path, headers=bearer(token)) for path in PROBES}


async def seconds_until_refused_everywhere(gateway: httpx.AsyncClient, token: str) -> float:
    """How long until every probe refuses `token` with a 401 problem; fails past the deadline."""
    started = time.monotonic()
    while True:
        seen = await answers(gateway, token)
        if all(r.status_code == 401 for r in seen.values()):
            for response in seen.values():
                assert response.headers["content-type"].startswith("application/problem+json")
            return time.monotonic() - started
        assert time.monotonic() - started < DEADLINE_SECONDS, {
            path: r.status_code for path, r in seen.items()
        }
        await asyncio.sleep(0.1)


async def assert_accepted_everywhere(gateway: httpx.AsyncClient, token: str) -> None:
    seen = await answers(gateway, token)
    assert {path: r.status_code for path, r in seen.items()} == dict.fromkeys(PROBES, 200)


async def eventually_accepted_everywhere(gateway: httpx.AsyncClient, token: str) -> None:
    """For a change that admits a user (a reactivation): the events reach each service."""
    started = time.monotonic()
    while True:
        seen = await answers(gateway, token)
        if all(r.status_code == 200 for r in seen.values()):
            return
        assert time.monotonic() - started < DEADLINE_SECONDS, {
            path: r.status_code for path, r in seen.items()
        }
        await asyncio.sleep(0.1)


async def wait_past_the_second_of(token: str) -> None:
    """`iat` is whole seconds: a change in the second a token was issued cannot void it (the
    known limit in docs/services/auth.md), so a change under test comes in a later second."""
    issued = jwt.decode(token, options={"verify_signature": False})["iat"]
    while time.time() < issued + 1:
        await asyncio.sleep(0.05)
