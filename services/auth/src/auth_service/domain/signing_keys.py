"""Signing keys of access tokens: made, sealed at rest, and which to sign with and publish when.

A new key is published before it signs (so every service's cached key set has it by then), and
an old key stays published until the last token it signed has expired.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from jwt.algorithms import OKPAlgorithm

ALGORITHM = "EdDSA"
_NONCE_BYTES = 12


@dataclass(frozen=True, slots=True)
class KeyTimes:
    """When a key starts signing and when it stops (None: it is the newest)."""

    kid: str
    activates_at: datetime
    retires_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewKey:
    kid: str
    private_pem: bytes
    public_jwk: dict[str, Any]


def generate_key() -> NewKey:
    private = Ed25519PrivateKey.generate()
    public_jwk = json.loads(OKPAlgorithm.to_jwk(private.public_key()))
    # RFC 7638 thumbprint: the kid names the key itself.
    members = {k: public_jwk[k] for k in ("crv", "kty", "x")}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode())
    kid = base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return NewKey(kid, pem, {**public_jwk, "kid": kid, "alg": ALGORITHM, "use": "sig"})


def derive_wrapping_key(secret: str) -> bytes:
    """The AES-256 key that seals private keys, from the configured key-encryption secret."""
    hkdf = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"auth signing-key sealing v1")
    return hkdf.derive(secret.encode())


def seal(private_pem: bytes, wrapping_key: bytes, kid: str) -> bytes:
    """AES-GCM with the kid as associated data: a sealed key cannot be swapped under another kid."""
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(wrapping_key).encrypt(nonce, private_pem, kid.encode())


def unseal(sealed: bytes, wrapping_key: bytes, kid: str) -> bytes:
    nonce, ciphertext = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
    return AESGCM(wrapping_key).decrypt(nonce, ciphertext, kid.encode())


def signing_kid(keys: list[KeyTimes], now: datetime) -> str | None:
    """The newest key that has started signing and not yet retired.

    A key rotated away before it ever started (two rotations in quick succession) never signs.
    """
    started = [
        k for k in keys if k.activates_at <= now and (k.retires_at is None or k.retires_at > now)
    ]
    return max(started, key=lambda k: k.activates_at).kid if started else None


def published_kids(keys: list[KeyTimes], now: datetime, token_lifetime: timedelta) -> list[str]:
    """Keys that sign now, will sign soon, or signed a token that has not expired yet."""
    return [k.kid for k in keys if k.retires_at is None or k.retires_at + token_lifetime > now]
