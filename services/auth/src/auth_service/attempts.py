"""Login attempts per account name, counted in the database so every replica shares the count."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.db.tables import login_attempts
from auth_service.domain.throttling import Attempts, ThrottlePolicy, Verdict, admit

# Rows of names nobody has tried for a day tell nothing any more.
_FORGET_AFTER = timedelta(days=1)


async def admit_attempt(
    session: AsyncSession, account_key: str, now: datetime, policy: ThrottlePolicy
) -> Verdict:
    """Counts this attempt (or refuses it) atomically: the row is locked until commit."""
    added = await session.scalar(
        insert(login_attempts)
        .values(account_key=account_key, count=0, last_at=now)
        .on_conflict_do_nothing(index_elements=[login_attempts.c.account_key])
        .returning(login_attempts.c.account_key)
    )
    row = (
        await session.execute(
            select(login_attempts)
            .where(login_attempts.c.account_key == account_key)
            .with_for_update()
        )
    ).one()
    previous = Attempts(row.count, row.last_at, row.locked_until) if row.count else None
    verdict = admit(previous, now, policy)
    if verdict.allowed:
        await session.execute(
            login_attempts.update()
            .where(login_attempts.c.account_key == account_key)
            .values(
                count=verdict.attempts.count,
                last_at=verdict.attempts.last_at,
                locked_until=verdict.attempts.locked_until,
            )
        )
    if added is not None:
        # Rows only grow with new names: forget the stale ones then, not on every attempt.
        stale = login_attempts.c.last_at < now - _FORGET_AFTER
        await session.execute(delete(login_attempts).where(stale))
    return verdict


async def clear_attempts(session: AsyncSession, account_key: str) -> None:
    await session.execute(delete(login_attempts).where(login_attempts.c.account_key == account_key))
