"""An old access token is refused by auth and by every other service once its session ends."""

from __future__ import annotations

import httpx
import jwt
import pytest

from tests.conftest import LOGS, service_url
from tests.e2e.auth.conftest import (
    DEADLINE_SECONDS,
    assert_accepted_everywhere,
    seconds_until_refused_everywhere,
    wait_past_the_second_of,
)
from tests.e2e.conftest import bearer, sign_in

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "a brand new passphrase"
AUTH_METRICS = f"{service_url('auth')}/metrics"


async def refused_count(reason: str) -> float:
    async with httpx.AsyncClient(timeout=5) as direct:
        text = (await direct.get(AUTH_METRICS)).text
    line = f'auth_tokens_refused_total{{reason="{reason}"}} '
    return next((float(row.split()[-1]) for row in text.splitlines() if row.startswith(line)), 0)


async def test_logout_voids_that_sessions_access_token_and_spares_the_users_other_sessions(
    gateway, new_user
):
    user, password = await new_user("viewer")
    leaving = await sign_in(gateway, user["email"], password)
    staying = await sign_in(gateway, user["email"], password)
    before = await refused_count("session_revoked")
    response = await gateway.post(
        "/api/auth/logout", json={"refresh_token": leaving["refresh_token"]}
    )
    assert response.status_code == 204
    assert (
        await seconds_until_refused_everywhere(gateway, leaving["access_token"]) < DEADLINE_SECONDS
    )
    await assert_accepted_everywhere(gateway, staying["access_token"])
    assert await refused_count("session_revoked") > before


async def test_changing_my_password_voids_my_other_sessions_tokens_but_not_this_ones(
    gateway, new_user
):
    user, password = await new_user("nurse")
    mine = await sign_in(gateway, user["email"], password)
    other = await sign_in(gateway, user["email"], password)
    response = await gateway.put(
        "/api/auth/me/password",
        json={"current_password": password, "new_password": NEW_PASSWORD},
        headers=bearer(mine["access_token"]),
    )
    assert response.status_code == 204, response.text
    await seconds_until_refused_everywhere(gateway, other["access_token"])
    await assert_accepted_everywhere(gateway, mine["access_token"])


async def test_a_password_reset_voids_every_token_the_user_held(gateway, new_user, admin):
    user, password = await new_user("surgeon")
    tokens = await sign_in(gateway, user["email"], password)
    response = await gateway.put(
        f"/api/auth/users/{user['user_id']}/password",
        json={"new_password": NEW_PASSWORD},
        headers=admin,
    )
    assert response.status_code == 204, response.text
    await seconds_until_refused_everywhere(gateway, tokens["access_token"])
    fresh = await sign_in(gateway, user["email"], NEW_PASSWORD)
    await assert_accepted_everywhere(gateway, fresh["access_token"])


async def test_deactivation_voids_the_users_tokens(gateway, new_user, admin):
    user, password = await new_user("coordinator")
    tokens = await sign_in(gateway, user["email"], password)
    response = await gateway.post(f"/api/auth/users/{user['user_id']}/deactivate", headers=admin)
    assert response.status_code == 200, response.text
    await seconds_until_refused_everywhere(gateway, tokens["access_token"])


async def test_a_role_change_voids_tokens_carrying_the_old_roles(gateway, new_user, admin):
    user, password = await new_user("coordinator")
    tokens = await sign_in(gateway, user["email"], password)
    await wait_past_the_second_of(tokens["access_token"])
    response = await gateway.put(
        f"/api/auth/users/{user['user_id']}/roles", json={"roles": ["viewer"]}, headers=admin
    )
    assert response.status_code == 200, response.text
    await seconds_until_refused_everywhere(gateway, tokens["access_token"])
    renewed = await gateway.post(
        "/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert renewed.status_code == 200, renewed.text
    await assert_accepted_everywhere(gateway, renewed.json()["access_token"])


async def test_a_refused_token_is_logged_by_reason_without_the_token(gateway, new_user):
    user, password = await new_user("viewer")
    tokens = await sign_in(gateway, user["email"], password)
    await gateway.post("/api/auth/logout", headers=bearer(tokens["access_token"]))
    await seconds_until_refused_everywhere(gateway, tokens["access_token"])
    session_id = jwt.decode(tokens["access_token"], options={"verify_signature": False})["sid"]
    for service in ("auth", "resources"):
        lines = (LOGS / f"{service}.log").read_text(errors="replace")
        refusals = [
            line
            for line in lines.splitlines()
            if "access token refused" in line and session_id in line
        ]
        assert refusals and all('"reason": "session_revoked"' in line for line in refusals)
        assert tokens["access_token"] not in lines
        assert tokens["access_token"].split(".")[2] not in lines  # nor its signature
