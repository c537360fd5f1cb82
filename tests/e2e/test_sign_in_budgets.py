"""Sign-in throttling by client address, through the gateway: an address that spends its failure
budget waits, and a stranger's failures at another address never lock the owner out.

The gateway takes the client's address from X-Forwarded-For only from a proxy it trusts (this
machine), so each test plays clients of addresses of its own from TEST-NET and benchmark ranges;
the demo users and the suite's own loopback address are never counted against.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import pytest

from tests.conftest import LOGS
from tests.e2e.conftest import bearer, create_user

pytestmark = pytest.mark.e2e

ADDRESS_BUDGET = 20  # AUTH_LOGIN_ADDRESS_MAX_FAILURES's default, per 10 minutes
AUTH_LOG = LOGS / "auth.log"


def an_address() -> str:
    """A client address of this test alone (198.18.0.0/15, for benchmarks: never a real one)."""
    return f"198.{random.randint(18, 19)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


async def attempt(gateway, username: str, password: str, address: str):
    return await gateway.post(
        "/api/auth/token",
        data={"username": username, "password": password},
        headers={"X-Forwarded-For": address},
    )


@pytest.fixture
async def throwaway(gateway, admin_token):
    """A user of this test alone, deactivated afterwards."""
    user, password = await create_user(gateway, admin_token)
    yield user, password
    await gateway.post(f"/api/auth/users/{user['user_id']}/deactivate", headers=bearer(admin_token))


def log_size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


async def test_an_address_that_spends_its_failure_budget_waits_and_others_do_not(
    gateway, throwaway
):
    user, password = throwaway
    sprayer, owner_address = an_address(), an_address()
    log_start = log_size(AUTH_LOG)
    sprayed = [f"spray-{uuid.uuid4().hex[:10]}@example.org" for _ in range(ADDRESS_BUDGET)]
    for name in sprayed:  # one guess per name: no account's lock is what stops it
        assert (await attempt(gateway, name, "Winter2026!", sprayer)).status_code == 401
    refused = await attempt(gateway, user["email"], password, sprayer)
    assert refused.status_code == 429, refused.text
    assert 500 <= int(refused.headers["retry-after"]) <= 600
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await attempt(gateway, user["email"], password, owner_address)).status_code == 200
    with AUTH_LOG.open("rb") as log:
        log.seek(log_start)
        written = log.read().decode()
    assert '"reason": "address_budget_spent"' in written
    assert not any(name in written for name in [*sprayed, user["email"]])


async def test_a_strangers_failures_from_another_address_never_lock_the_owner_out(
    gateway, throwaway
):
    user, password = throwaway
    stranger, owner_address = an_address(), an_address()
    for _ in range(5):
        assert (await attempt(gateway, user["email"], "a guess", stranger)).status_code == 401
    assert (await attempt(gateway, user["email"], password, stranger)).status_code == 429
    assert (await attempt(gateway, user["email"], password, owner_address)).status_code == 200
    # The owner's success lifts no lock but their own: the stranger still waits.
    assert (await attempt(gateway, user["email"], "a guess", stranger)).status_code == 429


async def test_a_success_gives_the_address_its_attempt_back(gateway, throwaway):
    user, password = throwaway
    address = an_address()
    for _ in range(ADDRESS_BUDGET + 5):
        assert (await attempt(gateway, user["email"], password, address)).status_code == 200
    name = f"nobody-{uuid.uuid4().hex[:8]}@example.org"
    assert (await attempt(gateway, name, "a guess", address)).status_code == 401
