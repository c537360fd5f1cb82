"""The durable audit store through the gateway: admins find any service's entries; no one else."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import bearer, create_user, sign_in
from tests.e2e.resources.conftest import ROOMS, assert_problem, create_room, if_match

pytestmark = pytest.mark.e2e

ENTRIES = "/api/auth/audit-entries"


@pytest.fixture
async def throwaway(gateway, admin_token) -> AsyncIterator[tuple[dict[str, Any], str]]:
    """A user of this test alone, deactivated afterwards."""
    user, password = await create_user(gateway, admin_token, "viewer")
    yield user, password
    await gateway.post(f"/api/auth/users/{user['user_id']}/deactivate", headers=bearer(admin_token))


async def entries_found(
    client: httpx.AsyncClient, admin_token: str, params: dict[str, str], expected: int = 1
) -> list[dict[str, Any]]:
    """The entries matching `params` once at least `expected` are stored (the consumer lags)."""
    for _ in range(150):
        response = await client.get(ENTRIES, params=params, headers=bearer(admin_token))
        assert response.status_code == 200, response.text
        page = response.json()
        if page["total"] >= expected:
            return page["items"]
        await asyncio.sleep(0.2)
    raise AssertionError(f"no {expected} audit entries matching {params} within 30 s")


async def test_an_admin_finds_a_users_sign_in_by_actor(gateway, admin_token, throwaway):
    user, password = throwaway
    await sign_in(gateway, user["email"], password)
    params = {"actor_id": user["user_id"], "action": "session.login"}
    [entry] = await entries_found(gateway, admin_token, params)
    assert (entry["service"], entry["actor_kind"], entry["record_id"]) == (
        "auth",
        "user",
        user["user_id"],
    )
    assert set(entry["details"]) == {"session_id"}
    created = await entries_found(gateway, admin_token, {"record_id": user["user_id"]}, 2)
    assert {"user.create", "session.login"} <= {e["action"] for e in created}


async def test_a_resource_change_reaches_the_store_with_its_author(gateway, admin, admin_token):
    room = await create_room(gateway, admin)
    retired = await gateway.post(f"{ROOMS}/{room['room_id']}/retire", headers=if_match(admin, room))
    assert retired.status_code == 200, retired.text
    params = {"record_id": room["room_id"], "service": "resources"}
    entries = await entries_found(gateway, admin_token, params, expected=2)
    assert [e["action"] for e in entries] == ["operating_room.retire", "operating_room.create"]
    assert len({e["actor_id"] for e in entries}) == 1


@pytest.mark.parametrize("role", ["coordinator", "viewer", "surgeon"])
async def test_nobody_but_an_admin_reads_the_audit_store(gateway, tokens, role):
    response = await gateway.get(ENTRIES, headers=bearer(tokens[role]))
    assert_problem(response, 403)


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"from": "2026-12-02T10:00:00Z", "to": "2026-12-02T09:00:00Z"}, "`to`"),
        ({"action": "Session Login"}, "query.action"),
        ({"service": "Auth!"}, "query.service"),
        ({"from": "yesterday"}, "from"),
        ({"limit": "0"}, "limit"),
    ],
)
async def test_a_filter_that_cannot_match_is_a_problem_saying_which(
    gateway, admin_token, params, says
):
    response = await gateway.get(ENTRIES, params=params, headers=bearer(admin_token))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert says in response.text
