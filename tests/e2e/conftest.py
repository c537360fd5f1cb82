"""Fixtures for tests through the nginx gateway against the running stack of `make up`."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import gateway_client

pytestmark = pytest.mark.e2e

# These tests make rooms, staff, users and cases through the gateway, and a hospital keeps what
# was made (retired, not deleted): on the stack of `make up` they would stay in the app its user
# opens. They run on a stack of their own (`make test`, `STACK=test deploy/local/test.sh e2e`,
# which set TEST_GATEWAY_URL), or on the running one only when asked for by name.
ON_RUNNING_STACK = "E2E_ON_RUNNING_STACK"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if items and not os.environ.get("TEST_GATEWAY_URL") and os.environ.get(ON_RUNNING_STACK) != "1":
        pytest.exit(
            "the e2e tests would leave their rooms, staff, users and cases in the stack of "
            "`make up`: run them on a stack of their own (`make test`, or `STACK=test "
            f"deploy/local/test.sh e2e`), or set {ON_RUNNING_STACK}=1 to write into the "
            "running stack anyway",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


DEMO_PASSWORD = "demo-password"


@pytest.fixture
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(timeout=10) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = DEMO_PASSWORD
) -> dict[str, Any]:
    """The token response of a successful sign-in (fails the test otherwise)."""
    response = await client.post("/api/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


# A demo role's access token for a test that only acts as that role: the run's one sign-in per
# role (`tokens`), not one per test (each an Argon2 hash on the stack). A test about signing in
# signs in itself (`sign_in`); no test signs a demo user out or changes its roles.
@pytest.fixture
def admin_token(tokens: dict[str, str]) -> str:
    return tokens["admin"]


@pytest.fixture
def coordinator_token(tokens: dict[str, str]) -> str:
    return tokens["coordinator"]


@pytest.fixture
def viewer_token(tokens: dict[str, str]) -> str:
    return tokens["viewer"]


async def create_user(
    client: httpx.AsyncClient, admin_token: str, *roles: str
) -> tuple[dict[str, Any], str]:
    """A fresh user of its own (so tests never share state); returns it and its password."""
    password = f"pw-{uuid.uuid4()}"
    body = {
        "email": f"user-{uuid.uuid4().hex[:12]}@example.org",
        "display_name": "Test User",
        "roles": list(roles or ("viewer",)),
        "password": password,
    }
    response = await client.post("/api/auth/users", json=body, headers=bearer(admin_token))
    assert response.status_code == 201, response.text
    return response.json(), password


@pytest.fixture(scope="session")
async def tokens() -> AsyncIterator[dict[str, str]]:
    """One access token per demo role, signed in once for the whole run (sign-ins are throttled)."""
    async with gateway_client(timeout=10) as client:
        yield {
            role: (await sign_in(client, f"{role}@example.org"))["access_token"]
            for role in ("admin", "coordinator", "surgeon", "viewer")
        }


@pytest.fixture
def admin(tokens: dict[str, str]) -> dict[str, str]:
    return bearer(tokens["admin"])


@pytest.fixture
def coordinator(tokens: dict[str, str]) -> dict[str, str]:
    return bearer(tokens["coordinator"])


@pytest.fixture
def viewer(tokens: dict[str, str]) -> dict[str, str]:
    return bearer(tokens["viewer"])


@pytest.fixture
def surgeon(tokens: dict[str, str]) -> dict[str, str]:
    return bearer(tokens["surgeon"])
