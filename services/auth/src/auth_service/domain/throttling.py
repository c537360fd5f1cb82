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
from collections.abc import Mapping
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
        return min(self.first_lock * 2.0**doublings, self.longest_lock)


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

    def budgeted(self, address: str) -> bool:
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


EVERYONE = "everyone"


@dataclass(frozen=True, slots=True)
class Count:
    """One stored count: a lock's (attempts, last one, locked until) or a budget's (failures,
    window start, next paced attempt)."""

    count: int
    at: datetime
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class SignInVerdict:
    """Allowed, or refused with the rule that refused (never the name typed) and the wait."""

    reason: str | None = None
    retry_after_seconds: int | None = None

    @property
    def allowed(self) -> bool:
        return self.reason is None


@dataclass(frozen=True, slots=True)
class SignInKeys:
    """What one sign-in attempt is counted under; hex digests, so no two kinds of key collide."""

    account: str
    address: str
    budgeted: bool

    @property
    def lock(self) -> str:
        return f"{self.account}@{self.address}"

    @property
    def budget_keys(self) -> list[str]:
        return [*([f"address:{self.address}"] if self.budgeted else []), EVERYONE]

    @property
    def keys(self) -> list[str]:
        return [self.lock, *self.budget_keys]


def sign_in_keys(
    keys: ThrottleKeys, policy: SignInPolicy, username: str, address: str
) -> SignInKeys:
    return SignInKeys(keys.account(username), keys.address(address), policy.budgeted(address))


def judge_sign_in(
    stored: Mapping[str, Count], keys: SignInKeys, now: datetime, policy: SignInPolicy
) -> tuple[SignInVerdict, dict[str, Count]]:
    """Counts an attempt under its lock and budgets (the counts to store), or refuses it and
    counts nothing."""
    lock = stored.get(keys.lock)
    previous = Attempts(lock.count, lock.at, lock.until) if lock and lock.count else None
    verdict = admit(previous, now, policy.lock)
    if not verdict.allowed:
        return SignInVerdict("account_locked", verdict.retry_after_seconds), {}
    counted = verdict.attempts
    changes = {keys.lock: Count(counted.count, counted.last_at, counted.locked_until)}
    for key in keys.budget_keys:
        rule, reason = (
            (policy.everyone, "everyone_paced")
            if key == EVERYONE
            else (policy.address, "address_budget_spent")
        )
        row = stored.get(key)
        spent = spend(Budget(row.count, row.at, row.until) if row else None, now, rule)
        if not spent.allowed:
            return SignInVerdict(reason, spent.retry_after_seconds), {}
        changes[key] = Count(spent.budget.spent, spent.budget.since, spent.budget.next_at)
    return SignInVerdict(), changes


def forgiven(stored: Mapping[str, Count], keys: SignInKeys) -> dict[str, Count | None]:
    """A success: the name's lock at this address goes (None), each budget gets the attempt
    back. Other addresses' locks of the same name stay: the owner's success lifts no stranger's."""
    changes: dict[str, Count | None] = {keys.lock: None}
    for key in keys.budget_keys:
        if (row := stored.get(key)) is not None:
            changes[key] = replace(row, count=max(0, row.count - 1))
    return changes


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
