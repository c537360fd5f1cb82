"""Sign-in attempts, counted in the database so every replica shares the counts.

One table holds three kinds of row, told apart by the key (digests are hex, so none collide):
`<account>@<address>` the lock of an account name at one address (`<account>` alone: the lock
of a password change), `address:<address>` an address's budget and `everyone` the global one.
A budget row keeps the failures spent in `count`, the window's start in `last_at`, and (paced)
the earliest next attempt in `locked_until`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.db.tables import login_attempts
from auth_service.domain.throttling import (
    Attempts,
    Budget,
    SignInKeys,
    SignInPolicy,
    ThrottlePolicy,
    Verdict,
    admit,
    spend,
)

log = logging.getLogger(__name__)
EVERYONE = "everyone"
# Rows of names nobody has tried for a day tell nothing any more.
_FORGET_AFTER = timedelta(days=1)
_table = login_attempts.c


@dataclass(frozen=True, slots=True)
class SignInVerdict:
    """Refused (with the rule that refused, never the name typed, and the wait) or allowed."""

    reason: str | None = None
    retry_after_seconds: int | None = None

    @property
    def allowed(self) -> bool:
        return self.reason is None


async def admit_sign_in(
    session: AsyncSession, keys: SignInKeys, now: datetime, policy: SignInPolicy
) -> SignInVerdict:
    """Counts this attempt under its lock and budgets, or refuses it and counts nothing."""
    budgets = {EVERYONE: policy.everyone}
    if keys.budgeted:
        budgets[f"address:{keys.address}"] = policy.address
    rows = await _locked_rows(session, [keys.lock, *budgets], now)
    lock = rows[keys.lock]
    verdict = admit(
        Attempts(lock.count, lock.last_at, lock.locked_until) if lock.count else None,
        now,
        policy.lock,
    )
    if not verdict.allowed:
        return _refused("account_locked", verdict.retry_after_seconds)
    spent = {
        name: spend(
            Budget(rows[name].count, rows[name].last_at, rows[name].locked_until), now, rule
        )
        for name, rule in budgets.items()
    }
    for name, budget in spent.items():
        if not budget.allowed:
            reason = "everyone_paced" if name == EVERYONE else "address_budget_spent"
            return _refused(reason, budget.retry_after_seconds)
    attempts = verdict.attempts
    await _store(session, keys.lock, attempts.count, attempts.last_at, attempts.locked_until)
    for name, budget in spent.items():
        await _store(session, name, budget.budget.spent, budget.budget.since, budget.budget.next_at)
    return SignInVerdict()


async def forgive_sign_in(session: AsyncSession, keys: SignInKeys) -> None:
    """A success: the name's lock at this address is cleared, its budgets get the attempt back."""
    await session.execute(delete(login_attempts).where(_table.account_key == keys.lock))
    names = [EVERYONE, *((f"address:{keys.address}",) if keys.budgeted else ())]
    await session.execute(
        login_attempts.update()
        .where(_table.account_key.in_(names))
        .values(count=func.greatest(_table.count - 1, 0))
    )


async def admit_attempt(
    session: AsyncSession, account_key: str, now: datetime, policy: ThrottlePolicy
) -> Verdict:
    """Counts an attempt at an account's lock alone (a password change), or refuses it."""
    row = (await _locked_rows(session, [account_key], now))[account_key]
    previous = Attempts(row.count, row.last_at, row.locked_until) if row.count else None
    verdict = admit(previous, now, policy)
    if verdict.allowed:
        attempts = verdict.attempts
        await _store(session, account_key, attempts.count, attempts.last_at, attempts.locked_until)
    return verdict


async def clear_attempts(session: AsyncSession, account_key: str) -> None:
    """Lifts every lock of an account name, at every address (a password reset)."""
    await session.execute(
        delete(login_attempts).where(
            or_(_table.account_key == account_key, _table.account_key.startswith(f"{account_key}@"))
        )
    )


async def _locked_rows(session: AsyncSession, names: list[str], now: datetime) -> dict:
    added = await session.scalars(
        insert(login_attempts)
        .values([{"account_key": name, "count": 0, "last_at": now} for name in names])
        .on_conflict_do_nothing(index_elements=[_table.account_key])
        .returning(_table.account_key)
    )
    if added.first() is not None:
        # Rows only grow with new names: forget the stale ones then, not on every attempt.
        stale = (_table.last_at < now - _FORGET_AFTER) & _table.account_key.not_in(names)
        await session.execute(delete(login_attempts).where(stale))
    # Locked in one order (by key) by every attempt, so two attempts never wait on each other.
    rows = await session.execute(
        select(login_attempts)
        .where(_table.account_key.in_(names))
        .order_by(_table.account_key)
        .with_for_update()
    )
    return {row.account_key: row for row in rows}


async def _store(
    session: AsyncSession, name: str, count: int, at: datetime, until: datetime | None
) -> None:
    await session.execute(
        login_attempts.update()
        .where(_table.account_key == name)
        .values(count=count, last_at=at, locked_until=until)
    )


def _refused(reason: str, retry_after_seconds: int | None) -> SignInVerdict:
    wait = retry_after_seconds or 1
    log.warning("sign-in throttled", extra={"reason": reason, "retry_after_seconds": wait})
    return SignInVerdict(reason, wait)
