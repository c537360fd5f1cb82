"""Sign-in attempts, counted in the database so every replica shares the counts.

One table holds every count, told apart by its key (`domain/throttling.py`): `<account>@<address>`
an account name's lock at one address (`<account>` alone: a password change's lock),
`address:<address>` an address's budget, `everyone` the global one. `count`, `last_at` and
`locked_until` hold a `Count`: a lock's attempts, last attempt and end, or a budget's failures,
window start and next paced attempt. Each attempt locks its rows until commit.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.db.tables import login_attempts
from auth_service.domain.throttling import (
    Attempts,
    Count,
    SignInKeys,
    SignInPolicy,
    SignInVerdict,
    ThrottlePolicy,
    Verdict,
    admit,
    forgiven,
    judge_sign_in,
)

log = logging.getLogger(__name__)
# Rows of names nobody has tried for a day tell nothing any more.
_FORGET_AFTER = timedelta(days=1)
_table = login_attempts.c


async def admit_sign_in(
    session: AsyncSession, keys: SignInKeys, now: datetime, policy: SignInPolicy
) -> SignInVerdict:
    """Counts this attempt under its lock and budgets, or refuses it and counts nothing."""
    stored = await _locked_counts(session, keys.keys, now)
    verdict, changes = judge_sign_in(stored, keys, now, policy)
    if not verdict.allowed:
        log.warning(
            "sign-in throttled",
            extra={"reason": verdict.reason, "retry_after_seconds": verdict.retry_after_seconds},
        )
    await _store(session, changes)
    return verdict


async def forgive_sign_in(session: AsyncSession, keys: SignInKeys) -> None:
    """A success was no failure: its lock at this address is lifted, its budgets get it back."""
    await _store(session, forgiven(await _locked(session, keys.keys), keys))


async def admit_attempt(
    session: AsyncSession, account_key: str, now: datetime, policy: ThrottlePolicy
) -> Verdict:
    """Counts an attempt at an account's lock alone (a password change), or refuses it."""
    row = (await _locked_counts(session, [account_key], now))[account_key]
    verdict = admit(Attempts(row.count, row.at, row.until) if row.count else None, now, policy)
    if verdict.allowed:
        counted = verdict.attempts
        await _store(
            session, {account_key: Count(counted.count, counted.last_at, counted.locked_until)}
        )
    return verdict


async def clear_attempts(session: AsyncSession, account_key: str) -> None:
    """Lifts every lock of an account name, at every address (a password reset)."""
    await session.execute(
        delete(login_attempts).where(
            or_(_table.account_key == account_key, _table.account_key.startswith(f"{account_key}@"))
        )
    )


async def _locked_counts(session: AsyncSession, keys: list[str], now: datetime) -> dict[str, Count]:
    added = await session.scalars(
        insert(login_attempts)
        .values([{"account_key": key, "count": 0, "last_at": now} for key in sorted(keys)])
        .on_conflict_do_nothing(index_elements=[_table.account_key])
        .returning(_table.account_key)
    )
    if added.first() is not None:
        # Rows only grow with new names: forget the stale ones then, not on every attempt.
        stale = (_table.last_at < now - _FORGET_AFTER) & _table.account_key.not_in(keys)
        await session.execute(delete(login_attempts).where(stale))
    return await _locked(session, keys)


async def _locked(session: AsyncSession, keys: list[str]) -> dict[str, Count]:
    # Every attempt locks its rows in one order (by key), so two never wait on each other.
    rows = await session.execute(
        select(login_attempts)
        .where(_table.account_key.in_(keys))
        .order_by(_table.account_key)
        .with_for_update()
    )
    # The type of `row.count` is the tuple's own method; the column is read by name.
    return {
        row.account_key: Count(row._mapping["count"], row.last_at, row.locked_until) for row in rows
    }


async def _store(session: AsyncSession, changes: Mapping[str, Count | None]) -> None:
    for key, count in changes.items():
        if count is None:
            await session.execute(delete(login_attempts).where(_table.account_key == key))
            continue
        await session.execute(
            login_attempts.update()
            .where(_table.account_key == key)
            .values(count=count.count, last_at=count.at, locked_until=count.until)
        )
