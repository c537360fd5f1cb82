"""Passwords: hashed with argon2id at (at least) the OWASP parameters, and the policy they meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP: argon2id, 19 MiB of memory, 2 iterations, 1 degree of parallelism.
_hasher = PasswordHasher(memory_cost=19_456, time_cost=2, parallelism=1)

MIN_LENGTH = 12
# Long enough for any passphrase, short enough that hashing cannot be used to burn CPU.
MAX_LENGTH = 256

# Verified when no account matches, so that unknown accounts cost the same time as known ones.
UNUSABLE_HASH = _hasher.hash("this account does not exist; the hash only spends the time")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def policy_violations(password: str, *, email: str) -> list[str]:
    """What is wrong with a new password, in words a user can act on; empty when it is fine."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"a password has at most {MAX_LENGTH} characters")
    folded = password.strip().casefold()
    local_part = email.split("@", 1)[0].casefold()
    if folded in {email.strip().casefold(), local_part}:
        problems.append("a password must not be the email address")
    if len(set(password)) < 4:
        problems.append("a password needs more than three different characters")
    return problems
