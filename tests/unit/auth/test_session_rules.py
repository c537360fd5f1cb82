"""When a refresh token may still be exchanged: the session's idle and absolute limits."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from auth_service.sessions import RefreshRefused, _ensure_usable
from auth_service.settings import AuthSettings

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
SETTINGS = AuthSettings(session_idle_hours=8, session_max_hours=24)


def token(**changes):
    row = {
        "used_at": None,
        "revoked_at": None,
        "last_used_at": NOW - timedelta(hours=1),
        "created_at": NOW - timedelta(hours=2),
        "active": True,
    }
    return SimpleNamespace(**{**row, **changes})


def reason(row) -> str | None:
    try:
        _ensure_usable(row, SETTINGS, NOW)
    except RefreshRefused as refused:
        return str(refused)
    return None


def test_a_fresh_token_of_a_live_session_is_usable():
    assert reason(token()) is None


@pytest.mark.parametrize(
    ("row", "why"),
    [
        (None, "unknown_refresh_token"),
        (token(used_at=NOW - timedelta(minutes=1)), "refresh_token_reuse"),
        (token(revoked_at=NOW - timedelta(minutes=1)), "session_revoked"),
        (token(last_used_at=NOW - timedelta(hours=8, seconds=1)), "session_idle"),
        (token(created_at=NOW - timedelta(hours=24, seconds=1)), "session_too_old"),
        (token(active=False), "user_deactivated"),
    ],
)
def test_refuses_a_token_saying_why(row, why):
    assert reason(row) == why


def test_a_shift_of_activity_keeps_the_session_alive():
    assert reason(token(last_used_at=NOW - timedelta(hours=7, minutes=59))) is None


# Production also refuses clear-text transport (tests/unit/servicekit/test_settings.py).
ENCRYPTED_TRANSPORT = {
    "database_sslmode": "verify-full",
    "jwks_url": "https://auth.internal/.well-known/jwks.json",
    "kafka_security_protocol": "SASL_SSL",
    "kafka_username": "auth",
    "kafka_password": "a real kafka password",
}


def test_production_refuses_the_development_key_encryption_secret():
    with pytest.raises(ValueError, match="key_encryption_secret"):
        AuthSettings(
            environment="production",
            database_url="postgresql+asyncpg://auth:real-secret@db/auth",
            **ENCRYPTED_TRANSPORT,
        )
    with pytest.raises(ValueError, match="32 random characters"):
        AuthSettings(
            environment="production",
            database_url="postgresql+asyncpg://auth:real-secret@db/auth",
            **ENCRYPTED_TRANSPORT,
            key_encryption_secret="short",
            login_throttle_secret="a real throttle secret of its own",
        )


def test_production_refuses_the_development_login_throttle_secret():
    with pytest.raises(ValueError, match="login_throttle_secret"):
        AuthSettings(
            environment="production",
            database_url="postgresql+asyncpg://auth:real-secret@db/auth",
            **ENCRYPTED_TRANSPORT,
            key_encryption_secret="k" * 40,
        )
