"""Access-token claims and opaque refresh tokens (the keyring signs, the sessions store)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

REFRESH_TOKEN_BYTES = 32


def access_claims(
    *,
    user_id: uuid.UUID,
    roles: Iterable[str],
    session_id: uuid.UUID,
    issuer: str,
    audience: str,
    now: datetime,
    lifetime: timedelta,
) -> dict[str, Any]:
    issued = int(now.timestamp())
    return {
        "iss": issuer,
        "aud": audience,
        "sub": str(user_id),
        "roles": sorted(roles),
        "sid": str(session_id),
        "iat": issued,
        "nbf": issued,
        "exp": issued + int(lifetime.total_seconds()),
        "jti": str(uuid.uuid4()),
    }


def new_refresh_token() -> str:
    return secrets.token_urlsafe(REFRESH_TOKEN_BYTES)


def refresh_token_digest(token: str) -> bytes:
    """Only this digest is stored: a stolen table yields no usable token."""
    return hashlib.sha256(token.encode()).digest()
