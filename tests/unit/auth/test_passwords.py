"""The password policy and the cost of checking a password."""

import pytest
from argon2 import extract_parameters
from auth_service.domain.passwords import (
    UNUSABLE_HASH,
    hash_password,
    needs_rehash,
    password_matches,
    policy_violations,
)

EMAIL = "cora.coordinator@example.org"


def test_hashes_with_argon2id_at_least_at_the_owasp_parameters():
    parameters = extract_parameters(hash_password("correct horse battery staple"))
    assert parameters.type.name == "ID"
    assert parameters.memory_cost >= 19 * 1024
    assert parameters.time_cost >= 2


def test_unknown_accounts_are_checked_against_a_hash_of_the_same_cost():
    assert extract_parameters(UNUSABLE_HASH) == extract_parameters(hash_password("x" * 12))
    assert not needs_rehash(UNUSABLE_HASH)


def test_a_password_matches_only_its_own_hash():
    stored = hash_password("correct horse battery staple")
    assert password_matches(stored, "correct horse battery staple")
    assert not password_matches(stored, "Correct horse battery staple")
    assert not password_matches("not a hash at all", "correct horse battery staple")


def test_accepts_a_long_varied_password():
    assert policy_violations("theatre list at seven", email=EMAIL) == []


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-pass1", "at least 12 characters"),
        ("x" * 257, "at most 256 characters"),
        (EMAIL.upper(), "must not be the email"),
        ("cora.coordinator", "must not be the email"),
        ("abababababababab", "more than three different characters"),
    ],
)
def test_refuses_a_weak_password_saying_why(password, reason):
    assert any(reason in problem for problem in policy_violations(password, email=EMAIL))
