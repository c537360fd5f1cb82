"""Tokens an attacker might present, made with the real signing key where the attack needs one.

The real key comes from the auth database through the auth service's own keyring, with the
development settings the local stack runs with: a test may hold what an attacker must not.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import jwt
from auth_service.keyring import Keyring
from auth_service.settings import AuthSettings
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from servicekit.db import create_engine
from sqlalchemy.ext.asyncio import async_sessionmaker


async def sign_with_the_real_key(claims: dict[str, Any]) -> str:
    settings = AuthSettings()
    engine = create_engine(settings.database_url.get_secret_value(), pool_size=1)
    try:
        return await Keyring(async_sessionmaker(engine), settings).sign(claims)
    finally:
        await engine.dispose()


def claims_for(user_id: str, roles: list[str], **changes: Any) -> dict[str, Any]:
    settings, now = AuthSettings(), int(time.time())
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": user_id,
        "roles": roles,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": str(uuid.uuid4()),
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def unsigned(claims: dict[str, Any], kid: str) -> str:
    """`alg: none`, with an empty signature."""
    return f"{_segment({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{_segment(claims)}."


def hmac_with_public_key(claims: dict[str, Any], kid: str, public_jwk: dict[str, Any]) -> str:
    """Key confusion: HS256 keyed with the public key, hoping the verifier uses it as a secret."""
    signing_input = f"{_segment({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_segment(claims)}"
    secrets = [json.dumps(public_jwk).encode(), base64.urlsafe_b64decode(public_jwk["x"] + "==")]
    mac = hmac.new(secrets[0], signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def with_payload(token: str, claims: dict[str, Any]) -> str:
    """The real header and signature around another payload."""
    header, _, signature = token.split(".")
    return f"{header}.{_segment(claims)}.{signature}"


def signed_by_a_stranger(claims: dict[str, Any]) -> str:
    """A well-formed EdDSA token under a kid the auth service never published."""
    return jwt.encode(
        claims, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": "not-ours"}
    )
