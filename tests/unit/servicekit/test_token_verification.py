"""Access tokens are trusted only when signed by a published asymmetric key, for us, in time."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import datetime

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from servicekit.auth import InvalidToken, JwksKeys, TokenVerifier

ISSUER, AUDIENCE = "surgery-scheduling-auth", "surgery-scheduling"


class KeyRing:
    """An auth service in miniature: keys, a JWKS document, and a fetch counter."""

    def __init__(self) -> None:
        self.keys: dict[str, Ed25519PrivateKey] = {}
        self.fetches = 0
        self.add()

    def add(self) -> str:
        kid = uuid.uuid4().hex[:8]
        self.keys[kid] = Ed25519PrivateKey.generate()
        return kid

    @property
    def current(self) -> str:
        return list(self.keys)[-1]

    def jwks(self) -> dict:
        entries = []
        for kid, key in self.keys.items():
            jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
            entries.append({**jwk, "kid": kid, "alg": "EdDSA", "use": "sig"})
        return {"keys": entries}

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            self.fetches += 1
            return httpx.Response(200, json=self.jwks())

        return httpx.MockTransport(handle)

    def token(self, kid: str | None = None, **overrides) -> str:
        kid = kid or self.current
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": str(uuid.uuid4()),
            "roles": ["coordinator"],
            "iat": now,
            "exp": now + 900,
            "jti": uuid.uuid4().hex,
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.keys[kid], algorithm="EdDSA", headers={"kid": kid})

    def public_pem(self) -> bytes:
        return (
            self.keys[self.current]
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing()


@pytest.fixture
def verifier(ring: KeyRing) -> TokenVerifier:
    keys = JwksKeys(
        "http://auth/jwks",
        client=httpx.AsyncClient(transport=ring.transport()),
        min_refresh_seconds=0,
    )
    return TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE, leeway=0)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_accepts_a_token_signed_by_a_published_key(ring, verifier):
    principal = await verifier.verify(ring.token(sub="u-1", roles=["coordinator", "viewer"]))
    assert principal.user_id == "u-1"
    assert principal.roles == {"coordinator", "viewer"}


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "another-system"},
        {"iss": "someone-else"},
        {"exp": int(time.time()) - 10},
        {"nbf": int(time.time()) + 600},
        {"jti": None},
        {"sub": None},
        {"roles": "admin"},
    ],
    ids=[
        "wrong-aud",
        "wrong-iss",
        "expired",
        "not-yet-valid",
        "no-jti",
        "no-sub",
        "roles-not-list",
    ],
)
async def test_rejects_tokens_with_bad_claims(ring, verifier, claims):
    with pytest.raises(InvalidToken):
        await verifier.verify(ring.token(**claims))


async def test_rejects_alg_none(ring, verifier):
    header = _b64({"alg": "none", "kid": ring.current, "typ": "JWT"})
    payload = _b64(
        {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "roles": ["admin"], "exp": 9999999999}
    )
    with pytest.raises(InvalidToken):
        await verifier.verify(f"{header}.{payload}.")


async def test_rejects_hmac_token_signed_with_the_public_key(ring, verifier):
    header = _b64({"alg": "HS256", "kid": ring.current, "typ": "JWT"})
    payload = _b64(
        {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "roles": ["admin"], "exp": 9999999999}
    )
    signature = hmac.new(ring.public_pem(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    forged = f"{header}.{payload}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
    with pytest.raises(InvalidToken):
        await verifier.verify(forged)


async def test_rejects_a_tampered_payload(ring, verifier):
    header, _, signature = ring.token().split(".")
    payload = _b64(
        {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "x",
            "roles": ["admin"],
            "exp": 9999999999,
            "iat": 1,
            "jti": "j",
        }
    )
    with pytest.raises(InvalidToken):
        await verifier.verify(f"{header}.{payload}.{signature}")


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "Bearer x.y.z"])
async def test_rejects_malformed_tokens(verifier, garbage):
    with pytest.raises(InvalidToken):
        await verifier.verify(garbage)


async def test_rejects_a_token_whose_key_is_not_published(ring, verifier):
    stranger = KeyRing()
    with pytest.raises(InvalidToken):
        await verifier.verify(stranger.token())


async def test_fetches_the_keys_again_when_an_unknown_kid_appears(ring, verifier):
    await verifier.verify(ring.token())
    assert ring.fetches == 1
    rotated = ring.add()
    await verifier.verify(ring.token(kid=rotated))
    assert ring.fetches == 2
    await verifier.verify(ring.token(kid=rotated))
    assert ring.fetches == 2, "a known key is served from the cache"


async def test_unknown_kids_cannot_make_it_hammer_the_auth_service(ring):
    keys = JwksKeys(
        "http://auth/jwks",
        client=httpx.AsyncClient(transport=ring.transport()),
        min_refresh_seconds=60,
    )
    verifier = TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE)
    stranger = KeyRing()
    for _ in range(20):
        with pytest.raises(InvalidToken):
            await verifier.verify(stranger.token())
    assert ring.fetches == 1


class _Later:
    """`time` and `datetime` an hour from now, for the verifier and PyJWT alike."""

    monotonic = staticmethod(time.monotonic)

    @staticmethod
    def time() -> float:
        return _now() + 3600

    @staticmethod
    def now(tz=None):
        return datetime.fromtimestamp(_now() + 3600, tz)


_now = time.time


async def test_a_token_verified_before_is_refused_once_it_expires(ring, verifier, monkeypatch):
    token = ring.token()
    await verifier.verify(token)
    monkeypatch.setattr("servicekit.auth.time", _Later)
    monkeypatch.setattr("jwt.api_jwt.datetime", _Later)
    with pytest.raises(InvalidToken) as refused:
        await verifier.verify(token)
    assert refused.value.reason == "expired"


async def test_a_remembered_token_is_checked_again_once_its_keys_are_fetched_again(ring):
    keys = JwksKeys(
        "http://auth/jwks",
        client=httpx.AsyncClient(transport=ring.transport()),
        min_refresh_seconds=0,
    )
    verifier = TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE, leeway=0)
    old = ring.current
    token = ring.token()
    await verifier.verify(token)
    await verifier.verify(token)
    assert ring.fetches == 1, "a token verified once is not fetched for again"
    # The auth service withdraws the key; a token under a new kid makes the service refetch.
    del ring.keys[old]
    ring.add()
    await verifier.verify(ring.token())
    with pytest.raises(InvalidToken) as refused:
        await verifier.verify(token)
    assert refused.value.reason == "unknown_key"


async def test_keys_fetched_ahead_serve_the_first_token_without_a_fetch_of_its_own(ring):
    keys = JwksKeys("http://auth/jwks.json", client=httpx.AsyncClient(transport=ring.transport()))
    keys.prefetch()
    await asyncio.sleep(0.05)
    assert ring.fetches == 1  # fetched before any token asked
    assert await keys.key_for(ring.current) is not None
    assert ring.fetches == 1
    await keys.aclose()


async def test_a_failed_fetch_ahead_leaves_no_trace(ring):
    """Unlike a failed refresh for a token, it does not hold the next fetch back for the
    refresh interval (the auth service may still be starting)."""
    answer = ring.transport().handler

    def handle(request: httpx.Request) -> httpx.Response:
        if ring.fetches == 0:
            ring.fetches += 1
            raise httpx.ConnectError("auth is still starting")
        return answer(request)

    keys = JwksKeys(
        "http://auth/jwks.json", client=httpx.AsyncClient(transport=httpx.MockTransport(handle))
    )
    keys.prefetch()
    await asyncio.sleep(0.05)
    assert await keys.key_for(ring.current) is not None
    assert ring.fetches == 2
    await keys.aclose()
