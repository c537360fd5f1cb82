"""Signing in, refreshing with rotation and reuse detection, signing out, and the keys."""

from __future__ import annotations

import statistics
import time
import uuid

import jwt
import pytest

from tests.e2e.conftest import bearer, create_user, sign_in

pytestmark = pytest.mark.e2e


async def refresh(gateway, token: str):
    return await gateway.post("/api/auth/refresh", json={"refresh_token": token})


async def test_sign_in_answers_an_oauth2_token_response(gateway):
    response = await gateway.post(
        "/api/auth/token", data={"username": "Coordinator@Example.org", "password": "demo-password"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert body["refresh_token"] and body["refresh_token"].count(".") == 0  # opaque


async def test_access_tokens_are_eddsa_signed_with_a_published_kid_and_carry_the_claims(gateway):
    token = (await sign_in(gateway, "surgeon@example.org"))["access_token"]
    header = jwt.get_unverified_header(token)
    jwks = (await gateway.get("/api/auth/.well-known/jwks.json")).json()
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    assert header["alg"] == key["alg"] == "EdDSA"
    assert "d" not in key  # public half only
    claims = jwt.decode(
        token, jwt.PyJWK(key).key, algorithms=["EdDSA"], audience="surgery-scheduling"
    )
    assert claims["iss"] == "surgery-scheduling-auth"
    assert claims["roles"] == ["surgeon"]
    assert {"sub", "iat", "exp", "jti"} <= claims.keys()
    me = await gateway.get("/api/auth/me", headers=bearer(token))
    assert me.json()["user_id"] == claims["sub"]


async def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(gateway):
    wrong = await gateway.post(
        "/api/auth/token", data={"username": "viewer@example.org", "password": "not-the-password"}
    )
    unknown = await gateway.post(
        "/api/auth/token",
        data={"username": "nobody-at-all@example.org", "password": "not-the-password"},
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_refresh_rotates_the_refresh_token(gateway):
    first = await sign_in(gateway, "viewer@example.org")
    response = await refresh(gateway, first["refresh_token"])
    assert response.status_code == 200, response.text
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert (await gateway.get("/api/auth/me", headers=bearer(second["access_token"]))).is_success
    assert (await refresh(gateway, second["refresh_token"])).status_code == 200


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_session(gateway):
    first = await sign_in(gateway, "viewer@example.org")
    second = (await refresh(gateway, first["refresh_token"])).json()
    stolen = await refresh(gateway, first["refresh_token"])
    assert stolen.status_code == 401
    assert stolen.headers["content-type"].startswith("application/problem+json")
    # The legitimate holder's newer token dies with the session.
    assert (await refresh(gateway, second["refresh_token"])).status_code == 401
    # Other sessions of the same user are untouched.
    other = await sign_in(gateway, "viewer@example.org")
    assert (await refresh(gateway, other["refresh_token"])).status_code == 200


async def test_refuses_an_unknown_refresh_token(gateway):
    assert (await refresh(gateway, "made-up-token")).status_code == 401


async def test_logout_ends_the_session(gateway):
    tokens = await sign_in(gateway, "viewer@example.org")
    response = await gateway.post(
        "/api/auth/logout", json={"refresh_token": tokens["refresh_token"]}
    )
    assert response.status_code == 204
    assert (await refresh(gateway, tokens["refresh_token"])).status_code == 401


async def test_logout_with_only_the_access_token_ends_its_session(gateway):
    tokens = await sign_in(gateway, "viewer@example.org")
    response = await gateway.post("/api/auth/logout", headers=bearer(tokens["access_token"]))
    assert response.status_code == 204
    assert (await refresh(gateway, tokens["refresh_token"])).status_code == 401


async def test_a_deactivated_user_can_neither_sign_in_nor_refresh(gateway, admin_token):
    user, password = await create_user(gateway, admin_token, "surgeon")
    tokens = await sign_in(gateway, user["email"], password)
    await gateway.post(f"/api/auth/users/{user['user_id']}/deactivate", headers=bearer(admin_token))
    assert (await refresh(gateway, tokens["refresh_token"])).status_code == 401
    again = await gateway.post(
        "/api/auth/token", data={"username": user["email"], "password": password}
    )
    assert again.status_code == 401


async def test_changing_my_password_ends_my_other_sessions_but_not_this_one(gateway, admin_token):
    user, password = await create_user(gateway, admin_token, "nurse")
    mine = await sign_in(gateway, user["email"], password)
    other = await sign_in(gateway, user["email"], password)
    response = await gateway.put(
        "/api/auth/me/password",
        json={"current_password": password, "new_password": "a much better passphrase"},
        headers=bearer(mine["access_token"]),
    )
    assert response.status_code == 204, response.text
    assert (await refresh(gateway, other["refresh_token"])).status_code == 401
    assert (await refresh(gateway, mine["refresh_token"])).status_code == 200
    await sign_in(gateway, user["email"], "a much better passphrase")


async def test_changing_my_password_needs_the_current_one(gateway, admin_token):
    user, password = await create_user(gateway, admin_token, "nurse")
    token = (await sign_in(gateway, user["email"], password))["access_token"]
    response = await gateway.put(
        "/api/auth/me/password",
        json={"current_password": "wrong-wrong-wrong", "new_password": "a much better passphrase"},
        headers=bearer(token),
    )
    assert response.status_code == 403


async def test_unknown_accounts_take_as_long_to_refuse_as_wrong_passwords(gateway, admin_token):
    """Medians, with a factor-of-two tolerance: without the decoy hash the gap is ~50x."""

    async def seconds_to_refuse(username: str) -> float:
        started = time.perf_counter()
        response = await gateway.post(
            "/api/auth/token", data={"username": username, "password": "a wrong password"}
        )
        assert response.status_code == 401
        return time.perf_counter() - started

    known = [(await create_user(gateway, admin_token))[0]["email"] for _ in range(2)]
    wrong = [await seconds_to_refuse(email) for email in known for _ in range(4)]
    unknown = [await seconds_to_refuse(f"nobody-{uuid.uuid4().hex}@example.org") for _ in range(8)]
    ratio = statistics.median(unknown) / statistics.median(wrong)
    assert 0.5 < ratio < 2, f"unknown/wrong-password time ratio {ratio:.2f}"
