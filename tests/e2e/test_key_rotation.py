"""Rotating the signing key: the new key is published first, old tokens stay valid until expiry."""

from __future__ import annotations

import asyncio
import time

import jwt
import pytest

from tests.e2e.conftest import bearer, sign_in

pytestmark = pytest.mark.e2e

PROTECTED = "/api/optimizer/runs"
# Longer than the services' shortest interval between two JWKS fetches (10 s).
PUBLISH_AHEAD = 11


async def published_kids(gateway) -> set[str]:
    return {k["kid"] for k in (await gateway.get("/api/auth/.well-known/jwks.json")).json()["keys"]}


async def test_rotation_publishes_the_new_key_first_and_keeps_old_tokens_valid(
    gateway, admin_token
):
    old_token = (await sign_in(gateway, "viewer@example.org"))["access_token"]
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    assert (await gateway.get(PROTECTED, headers=bearer(old_token))).status_code == 200

    response = await gateway.post(
        "/api/auth/signing-keys/rotate",
        json={"publish_ahead_seconds": PUBLISH_AHEAD},
        headers=bearer(admin_token),
    )
    assert response.status_code == 201, response.text
    new_kid = next(k["kid"] for k in response.json() if k["retires_at"] is None)
    assert new_kid != old_kid
    assert {old_kid, new_kid} <= await published_kids(gateway)

    # Until the new key signs, tokens still come under the old one.
    early = (await sign_in(gateway, "viewer@example.org"))["access_token"]
    assert jwt.get_unverified_header(early)["kid"] == old_kid

    deadline = time.monotonic() + PUBLISH_AHEAD + 15
    while True:
        fresh = (await sign_in(gateway, "viewer@example.org"))["access_token"]
        if jwt.get_unverified_header(fresh)["kid"] == new_kid:
            break
        assert time.monotonic() < deadline, "the new key never started signing"
        await asyncio.sleep(0.5)

    # Another service accepts both: the new key it fetched, the old one until its tokens expire.
    assert (await gateway.get(PROTECTED, headers=bearer(fresh))).status_code == 200
    assert (await gateway.get(PROTECTED, headers=bearer(old_token))).status_code == 200
    assert {old_kid, new_kid} <= await published_kids(gateway)

    keys = (await gateway.get("/api/auth/signing-keys", headers=bearer(admin_token))).json()
    signing = [k["kid"] for k in keys if k["signing"]]
    assert signing == [new_kid]
    assert all("private" not in str(k) and "d" not in k for k in keys)
