"""Every service verifies tokens itself: forged, stale or revoked ones get 401 elsewhere."""

from __future__ import annotations

import asyncio
import time

import jwt
import pytest

from tests.e2e import forgery
from tests.e2e.conftest import bearer, create_user, sign_in

pytestmark = pytest.mark.e2e

# A protected endpoint of a service other than auth: any signed-in role may read it.
PROTECTED = "/api/optimizer/runs"


@pytest.fixture
async def viewer(gateway, admin_token):
    user, password = await create_user(gateway, admin_token, "viewer")
    tokens = await sign_in(gateway, user["email"], password)
    return user, tokens["access_token"]


async def refused(gateway, token: str | None, path: str = PROTECTED) -> None:
    headers = bearer(token) if token is not None else {}
    response = await gateway.get(path, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_valid_token_is_accepted(gateway, viewer):
    _, token = viewer
    response = await gateway.get(PROTECTED, headers=bearer(token))
    assert response.status_code == 200, response.text


async def test_refuses_a_request_without_a_token(gateway):
    await refused(gateway, None)


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", "eyJhbGciOiJFZERTQSJ9..", ""])
async def test_refuses_a_malformed_token(gateway, token):
    if token == "":
        response = await gateway.get(PROTECTED, headers={"Authorization": "Bearer"})
        assert response.status_code == 401
        return
    await refused(gateway, token)


async def test_refuses_alg_none(gateway, viewer):
    user, token = viewer
    kid = jwt.get_unverified_header(token)["kid"]
    await refused(gateway, forgery.unsigned(forgery.claims_for(user["user_id"], ["admin"]), kid))


async def test_refuses_hs256_keyed_with_the_public_key(gateway, viewer):
    user, token = viewer
    kid = jwt.get_unverified_header(token)["kid"]
    jwks = (await gateway.get("/api/auth/.well-known/jwks.json")).json()
    public = next(key for key in jwks["keys"] if key["kid"] == kid)
    claims = forgery.claims_for(user["user_id"], ["admin"])
    await refused(gateway, forgery.hmac_with_public_key(claims, kid, public))


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"aud": "another-audience"}, id="wrong-aud"),
        pytest.param({"iss": "https://evil.example"}, id="wrong-iss"),
        pytest.param(
            {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}, id="expired"
        ),
        pytest.param(
            {"nbf": int(time.time()) + 3600, "iat": int(time.time()) + 3600}, id="not-yet-valid"
        ),
        pytest.param({"jti": None}, id="no-jti"),
    ],
)
async def test_refuses_a_genuinely_signed_token_with_wrong_claims(gateway, viewer, changes):
    user, _ = viewer
    claims = forgery.claims_for(user["user_id"], ["viewer"], **changes)
    await refused(gateway, await forgery.sign_with_the_real_key(claims))


async def test_refuses_a_tampered_payload(gateway, viewer):
    _, token = viewer
    claims = jwt.decode(token, options={"verify_signature": False})
    await refused(gateway, forgery.with_payload(token, {**claims, "roles": ["admin"]}))


async def test_refuses_an_unknown_kid(gateway, viewer):
    user, _ = viewer
    await refused(gateway, forgery.signed_by_a_stranger(forgery.claims_for(user["user_id"], [])))


async def test_refuses_a_deactivated_users_unexpired_token_within_seconds(
    gateway, admin_token, viewer
):
    user, token = viewer
    assert (await gateway.get(PROTECTED, headers=bearer(token))).status_code == 200
    response = await gateway.post(
        f"/api/auth/users/{user['user_id']}/deactivate", headers=bearer(admin_token)
    )
    assert response.status_code == 200, response.text
    started = time.monotonic()
    while (await gateway.get(PROTECTED, headers=bearer(token))).status_code != 401:
        assert time.monotonic() - started < 10, "the deactivation did not reach the optimizer"
        await asyncio.sleep(0.1)
    # Auth's own guard re-reads its view on its own second: it may come a moment later.
    while (await gateway.get("/api/auth/me", headers=bearer(token))).status_code != 401:
        assert time.monotonic() - started < 10, "auth did not refuse the deactivated user"
        await asyncio.sleep(0.1)
    await refused(gateway, token, "/api/auth/me")


async def test_refuses_a_token_issued_before_its_users_roles_changed(gateway, admin_token, viewer):
    user, token = viewer
    await asyncio.sleep(1.1)  # iat is whole seconds: the change must come in a later second
    response = await gateway.put(
        f"/api/auth/users/{user['user_id']}/roles",
        json={"roles": ["surgeon"]},
        headers=bearer(admin_token),
    )
    assert response.status_code == 200, response.text
    started = time.monotonic()
    while (await gateway.get(PROTECTED, headers=bearer(token))).status_code != 401:
        assert time.monotonic() - started < 10, "the role change did not reach the optimizer"
        await asyncio.sleep(0.1)


async def test_answers_403_to_a_role_that_may_not_act(gateway, viewer_token, coordinator_token):
    response = await gateway.post(PROTECTED, json={}, headers=bearer(viewer_token))
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    response = await gateway.get("/api/auth/users", headers=bearer(coordinator_token))
    assert response.status_code == 403
