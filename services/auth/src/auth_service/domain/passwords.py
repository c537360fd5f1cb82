"""Password hashing with argon2id at (at least) the OWASP parameters."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP: argon2id, 19 MiB of memory, 2 iterations, 1 degree of parallelism.
_hasher = PasswordHasher(memory_cost=19_456, time_cost=2, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
