"""Sign-in throttling: a lock per account name at one address, and failure budgets.

Three counts, every one kept *before* the password is checked (a success gives its count back),
so parallel guesses cannot outrun them:
- an account name at one client address locks after repeated failures, longer each time; the
  lock holds only at that address, so a stranger's failures elsewhere never lock the owner out;
- a client address has a budget of failures per window; spent, it waits for the window's end;
- all addresses together have a budget per window; spent, attempts are paced (one per interval)
  instead of refused, which slows everyone and locks nobody out.
The account name is throttled whether or not an account has it, so a `429` reveals nothing.
Names and addresses are kept only as keyed digests (HMAC-SHA-256): a name typed by mistake (even
a password) cannot be recovered from the table without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """The lock of one account name (at one address, for sign-ins)."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    first_lock: timedelta = timedelta(seconds=30)
    longest_lock: timedelta = timedelta(minutes=15)

    def lock_for(self, attempts: int) -> timedelta:
        """Doubles with every attempt past the limit, up to the longest lock."""
        doublings = min(attempts - self.max_failures, 30)
        return min(self.first_lock * (2**doublings), self.longest_lock)


@dataclass(frozen=True, slots=True)
class BudgetPolicy:
    """Failures allowed per window; once spent, none (pace None) or one per `pace`."""

    failures: int
    window: timedelta
    pace: timedelta | None = None


@dataclass(frozen=True, slots=True)
class SignInPolicy:
    lock: ThrottlePolicy = ThrottlePolicy()
    address: BudgetPolicy = BudgetPolicy(20, timedelta(minutes=10))
    everyone: BudgetPolicy = BudgetPolicy(500, timedelta(minutes=10), pace=timedelta(seconds=1))
    # Addresses without a budget of their own (loopback: the machine itself); still locked.
    unbudgeted: tuple[Network, ...] = field(default=())

    def budgets(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return True
        return not any(ip in network for network in self.unbudgeted)


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


@dataclass(frozen=True, slots=True)
class Budget:
    """Failures (and attempts in flight) spent since the window began."""

    spent: int
    since: datetime
    next_at: datetime | None = None  # while paced: the earliest next attempt


@dataclass(frozen=True, slots=True)
class BudgetVerdict:
    budget: Budget
    retry_after_seconds: int | None

    @property
    def allowed(self) -> bool:
        return self.retry_after_seconds is None


@dataclass(frozen=True, slots=True)
class ThrottleKeys:
    """Keyed digests of account names and client addresses (the key is a setting)."""

    secret: bytes

    def account(self, username: str) -> str:
        return self._digest(b"account", username.strip().casefold())

    def address(self, address: str) -> str:
        return self._digest(b"address", address.strip().lower())

    def _digest(self, kind: bytes, value: str) -> str:
        return hmac.new(self.secret, kind + b"\0" + value.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class SignInKeys:
    """What one sign-in attempt is counted under."""

    account: str
    address: str
    budgeted: bool

    @property
    def lock(self) -> str:
        return f"{self.account}@{self.address}"


def sign_in_keys(
    keys: ThrottleKeys, policy: SignInPolicy, username: str, address: str
) -> SignInKeys:
    return SignInKeys(keys.account(username), keys.address(address), policy.budgets(address))


def account_key(username: str) -> str:
    """Unkeyed: kept only until every caller counts under `ThrottleKeys`."""
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()


def admit(previous: Attempts | None, now: datetime, policy: ThrottlePolicy) -> Verdict:
    """Counts an attempt, or refuses it while the account name is locked."""
    if previous and previous.locked_until and previous.locked_until > now:
        return Verdict(previous, retry_after_seconds=_seconds(previous.locked_until - now))
    count = 0 if previous is None or _forgotten(previous, now, policy) else previous.count
    count += 1
    # Locked from the last allowed attempt on, pessimistically: a success lifts it at once.
    locked_until = now + policy.lock_for(count) if count >= policy.max_failures else None
    return Verdict(Attempts(count, now, locked_until), retry_after_seconds=None)


def spend(previous: Budget | None, now: datetime, policy: BudgetPolicy) -> BudgetVerdict:
    """Spends one failure of the budget, or refuses while it is spent (and, if paced, too soon)."""
    budget = previous
    if budget is None or now - budget.since >= policy.window:
        budget = Budget(0, now)
    if budget.spent < policy.failures:
        return BudgetVerdict(replace(budget, spent=budget.spent + 1), None)
    if policy.pace is None:
        return BudgetVerdict(budget, _seconds(budget.since + policy.window - now))
    if budget.next_at is not None and budget.next_at > now:
        return BudgetVerdict(budget, _seconds(budget.next_at - now))
    return BudgetVerdict(Budget(budget.spent + 1, budget.since, now + policy.pace), None)


def _seconds(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds()))


def _forgotten(attempts: Attempts, now: datetime, policy: ThrottlePolicy) -> bool:
    quiet_since = max(attempts.last_at, attempts.locked_until or attempts.last_at)
    return now - quiet_since > policy.window
