"""The auth service's own Prometheus metrics (the kit's HTTP and event metrics come on top)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import UTC, date, datetime

from prometheus_client import Counter, Gauge

LOGINS = Counter("auth_logins_total", "Sign-in attempts by outcome.", ["outcome"])
REFRESHES = Counter("auth_refreshes_total", "Refresh-token exchanges by outcome.", ["outcome"])
AUDIT_ENTRIES_PURGED = Counter(
    "auth_audit_entries_purged_total", "Audit entries deleted for being past the retention."
)


class SignedInToday:
    """How many distinct users signed in since midnight UTC, without keeping who they were.

    Each user id is kept only as a keyed hash; the key is random, lives in memory and is
    dropped with the hashes at midnight, so no record says who signed in. Counts this process's
    sign-ins: with several auth replicas or worker processes, a user who signs in at two of them
    counts twice."""

    def __init__(self, gauge: Gauge | None = None) -> None:
        self._day: date | None = None
        self._key = b""
        self._seen: set[bytes] = set()
        self._gauge = gauge

    def add(self, user_id: uuid.UUID | str, now: datetime | None = None) -> None:
        self._roll((now or datetime.now(UTC)).date())
        self._seen.add(hmac.digest(self._key, str(user_id).encode(), hashlib.sha256)[:16])
        if self._gauge is not None:
            self._gauge.set(len(self._seen))

    def count(self, now: datetime | None = None) -> int:
        self._roll((now or datetime.now(UTC)).date())
        return len(self._seen)

    def _roll(self, today: date) -> None:
        if today != self._day:
            self._day, self._key, self._seen = today, secrets.token_bytes(32), set()


# Set at each sign-in, not read at each scrape (a gauge's function is not shared between worker
# processes): a process's count returns to 0 at its first sign-in after midnight.
ACTIVE_USERS = Gauge(
    "auth_active_users_today",
    "Distinct users signed in since midnight UTC, per process, summed over the service's.",
    multiprocess_mode="livesum",
)
SIGNED_IN_TODAY = SignedInToday(ACTIVE_USERS)
