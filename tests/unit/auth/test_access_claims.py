"""The claims of an access token, and the opaque refresh tokens."""

import uuid
from datetime import UTC, datetime, timedelta

from auth_service.domain.tokens import access_claims, new_refresh_token, refresh_token_digest


def test_access_claims_carry_everything_a_service_checks():
    now = datetime(2026, 12, 1, 7, 0, 0, 600_000, tzinfo=UTC)
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    claims = access_claims(
        user_id=user_id,
        roles=["surgeon", "coordinator"],
        session_id=session_id,
        issuer="iss",
        audience="aud",
        now=now,
        lifetime=timedelta(minutes=15),
    )
    assert {"iss", "aud", "sub", "roles", "iat", "exp", "jti"} <= claims.keys()
    assert claims["sub"] == str(user_id) and claims["sid"] == str(session_id)
    assert claims["roles"] == ["coordinator", "surgeon"]
    assert claims["exp"] - claims["iat"] == 900
    assert claims["iat"] == int(now.timestamp())


def test_refresh_tokens_are_unguessable_and_stored_only_as_digests():
    tokens = {new_refresh_token() for _ in range(100)}
    assert len(tokens) == 100
    token = tokens.pop()
    assert len(token) >= 43
    assert refresh_token_digest(token) == refresh_token_digest(token)
    assert token.encode() not in refresh_token_digest(token)
