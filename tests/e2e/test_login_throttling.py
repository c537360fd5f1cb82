"""After five failed sign-ins for one account name, further attempts wait: 429 and Retry-After."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.e2e.conftest import bearer, create_user, sign_in

pytestmark = pytest.mark.e2e


async def attempt(gateway, username: str, password: str):
    return await gateway.post("/api/auth/token", data={"username": username, "password": password})


async def fail_five_times(gateway, username: str) -> None:
    for _ in range(5):
        assert (await attempt(gateway, username, "wrong password!")).status_code == 401


async def test_the_sixth_attempt_waits_even_with_the_right_password(gateway, admin_token):
    user, password = await create_user(gateway, admin_token)
    await fail_five_times(gateway, user["email"])
    response = await attempt(gateway, user["email"], password)
    assert response.status_code == 429
    assert 1 <= int(response.headers["retry-after"]) <= 30
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_an_unknown_account_name_is_throttled_exactly_like_a_real_one(gateway, admin_token):
    user, _ = await create_user(gateway, admin_token)
    unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.org"
    # Side by side, so both locks start within one attempt of each other, even on a busy machine.
    for _ in range(5):
        for name in (user["email"], unknown):
            assert (await attempt(gateway, name, "wrong password!")).status_code == 401
    real = await attempt(gateway, user["email"], "wrong password!")
    fake = await attempt(gateway, unknown, "wrong password!")
    assert real.status_code == fake.status_code == 429
    assert real.json()["detail"] == fake.json()["detail"]
    assert abs(int(real.headers["retry-after"]) - int(fake.headers["retry-after"])) <= 1


async def test_parallel_guesses_cannot_outrun_the_count(gateway):
    unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.org"
    answers = await asyncio.gather(*(attempt(gateway, unknown, f"guess {i}") for i in range(20)))
    statuses = [a.status_code for a in answers]
    assert statuses.count(401) <= 5
    assert statuses.count(429) >= 15


async def test_a_success_clears_the_count(gateway, admin_token):
    user, password = await create_user(gateway, admin_token)
    for _ in range(4):
        assert (await attempt(gateway, user["email"], "wrong password!")).status_code == 401
    await sign_in(gateway, user["email"], password)
    await fail_five_times(gateway, user["email"])


async def test_an_administrators_password_reset_lifts_the_lock(gateway, admin_token):
    user, _ = await create_user(gateway, admin_token)
    await fail_five_times(gateway, user["email"])
    assert (await attempt(gateway, user["email"], "anything at all")).status_code == 429
    response = await gateway.put(
        f"/api/auth/users/{user['user_id']}/password",
        json={"new_password": "a brand new passphrase"},
        headers=bearer(admin_token),
    )
    assert response.status_code == 204, response.text
    await sign_in(gateway, user["email"], "a brand new passphrase")


async def test_guessing_the_current_password_with_a_stolen_token_is_throttled(gateway, admin_token):
    user, password = await create_user(gateway, admin_token)
    token = (await sign_in(gateway, user["email"], password))["access_token"]
    body = {"current_password": "a wrong guess!", "new_password": "whatever it may be"}
    statuses = [
        (await gateway.put("/api/auth/me/password", json=body, headers=bearer(token))).status_code
        for _ in range(6)
    ]
    assert statuses == [403] * 5 + [429]
