"""Signing keys: sealed at rest, published before they sign, kept until their tokens expire."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from auth_service.domain.signing_keys import (
    KeyTimes,
    derive_wrapping_key,
    generate_key,
    published_kids,
    seal,
    signing_kid,
    unseal,
)
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.serialization import load_pem_private_key

T0 = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
LIFETIME = timedelta(minutes=15)


def test_a_sealed_key_opens_only_with_the_same_secret_and_kid():
    key = generate_key()
    wrapping = derive_wrapping_key("a secret of at least thirty-two characters")
    sealed = seal(key.private_pem, wrapping, key.kid)
    assert key.private_pem not in sealed
    assert unseal(sealed, wrapping, key.kid) == key.private_pem
    with pytest.raises(InvalidTag):
        unseal(sealed, derive_wrapping_key("another secret entirely, just as long"), key.kid)
    with pytest.raises(InvalidTag):
        unseal(sealed, wrapping, generate_key().kid)


def test_the_published_key_verifies_what_the_private_key_signs():
    key = generate_key()
    token = jwt.encode(
        {"sub": "x"}, load_pem_private_key(key.private_pem, None), "EdDSA", {"kid": key.kid}
    )
    public = jwt.PyJWK(key.public_jwk)
    assert key.public_jwk["kid"] == jwt.get_unverified_header(token)["kid"]
    assert jwt.decode(token, public.key, algorithms=["EdDSA"]) == {"sub": "x"}
    assert "d" not in key.public_jwk


def test_signs_with_the_newest_key_that_has_started():
    old = KeyTimes("old", T0, T0 + timedelta(seconds=15))
    new = KeyTimes("new", T0 + timedelta(seconds=15), None)
    assert signing_kid([old, new], T0 + timedelta(seconds=14)) == "old"
    assert signing_kid([old, new], T0 + timedelta(seconds=15)) == "new"
    assert signing_kid([new], T0) is None


def test_a_new_key_is_published_before_it_signs():
    old = KeyTimes("old", T0, T0 + timedelta(seconds=15))
    new = KeyTimes("new", T0 + timedelta(seconds=15), None)
    assert published_kids([old, new], T0 + timedelta(seconds=1), LIFETIME) == ["old", "new"]


def test_a_retired_key_is_published_until_its_last_token_has_expired():
    retired = KeyTimes("old", T0, T0 + timedelta(seconds=15))
    last_expiry = retired.retires_at + LIFETIME
    assert "old" in published_kids([retired], last_expiry - timedelta(seconds=1), LIFETIME)
    assert "old" not in published_kids([retired], last_expiry, LIFETIME)


def test_a_key_rotated_away_before_it_started_never_signs():
    current = KeyTimes("current", T0, T0 + timedelta(seconds=5))
    skipped = KeyTimes("skipped", T0 + timedelta(seconds=30), T0 + timedelta(seconds=5))
    newest = KeyTimes("newest", T0 + timedelta(seconds=5), None)
    keys = [current, skipped, newest]
    assert signing_kid(keys, T0 + timedelta(seconds=1)) == "current"
    assert signing_kid(keys, T0 + timedelta(seconds=31)) == "newest"
