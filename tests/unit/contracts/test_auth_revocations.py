"""The revocation and reactivation events say exactly what a service needs to follow them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from contracts.envelope import Envelope
from contracts.events.auth_users import SessionRevoked, UserReactivated, UserTokensRevoked
from contracts.registry import parse_envelope
from pydantic import ValidationError

NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)


def session_revoked(**changes) -> SessionRevoked:
    values = {
        "user_id": uuid.uuid4(),
        "session_id": uuid.uuid4(),
        "reason": "logout",
        "revoked_at": NOW,
        "expires_at": NOW + timedelta(minutes=16),
    }
    return SessionRevoked(**{**values, **changes})


def test_a_session_revocation_travels_and_comes_back_the_same():
    event = session_revoked(reason="refresh_token_reuse")
    raw = Envelope.wrap(event, producer="auth").model_dump_json().encode()
    assert parse_envelope(raw)[1] == event


def test_a_session_revocation_names_one_of_the_known_reasons():
    with pytest.raises(ValidationError):
        session_revoked(reason="because")


def test_a_reactivation_restores_at_least_one_role():
    with pytest.raises(ValidationError):
        UserReactivated(user_id=uuid.uuid4(), roles=[], reactivated_at=NOW)


def test_a_user_wide_revocation_is_a_password_reset_at_an_aware_instant():
    with pytest.raises(ValidationError):
        UserTokensRevoked(user_id=uuid.uuid4(), issued_before=NOW, reason="logout")
    with pytest.raises(ValidationError):
        UserTokensRevoked(
            user_id=uuid.uuid4(), issued_before=NOW.replace(tzinfo=None), reason="password_reset"
        )
