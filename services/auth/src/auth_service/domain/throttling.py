"""Login throttling per account name: after repeated failures, attempts wait, longer each time.

The account name is throttled whether or not an account has it, so a `429` reveals nothing.
Every attempt is counted *before* its password is checked, and a success clears the count:
parallel guesses therefore cannot outrun the counter.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    first_lock: timedelta = timedelta(seconds=30)
    longest_lock: timedelta = timedelta(minutes=15)

    def lock_for(self, attempts: int) -> timedelta:
        """Doubles with every attempt past the limit, up to the longest lock."""
        doublings = min(attempts - self.max_failures, 30)
        return min(self.first_lock * (2**doublings), self.longest_lock)


@dataclass(frozen=True, slots=True)
class Attempts:
    """Unsuccessful (or not yet successful) attempts for one account name."""

    count: int
    last_at: datetime
    locked_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    attempts: Attempts
    retry_after_seconds: int | None  # set when this attempt is refused

    @property
    def allowed(self) -> bool:
        return self.retry_after_seconds is None


def account_key(username: str) -> str:
    """The throttle's key: a digest, so names typed by mistake (even passwords) are not stored."""
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()


def admit(previous: Attempts | None, now: datetime, policy: ThrottlePolicy) -> Verdict:
    """Counts an attempt, or refuses it while the account name is locked."""
    if previous and previous.locked_until and previous.locked_until > now:
        wait = (previous.locked_until - now).total_seconds()
        return Verdict(previous, retry_after_seconds=max(1, math.ceil(wait)))
    count = 0 if previous is None or _forgotten(previous, now, policy) else previous.count
    count += 1
    # Locked from the last allowed attempt on, pessimistically: a success lifts it at once.
    locked_until = now + policy.lock_for(count) if count >= policy.max_failures else None
    return Verdict(Attempts(count, now, locked_until), retry_after_seconds=None)


def _forgotten(attempts: Attempts, now: datetime, policy: ThrottlePolicy) -> bool:
    quiet_since = max(attempts.last_at, attempts.locked_until or attempts.last_at)
    return now - quiet_since > policy.window
