"""The schedule's revision: a cheap answer to "has anything the board shows changed?".

Triggers move it on at commit (migration 0004); reading it is one primary-key lookup of a
one-row table, with no audit entry: it names no case and no patient.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service.db.tables import schedule_revision


async def current_revision(session: AsyncSession) -> str:
    row = (
        await session.execute(
            select(schedule_revision.c.epoch, schedule_revision.c.counter).where(
                schedule_revision.c.singleton.is_(True)
            )
        )
    ).one()
    return f"{row.epoch.hex[:12]}-{row.counter}"


def matches(if_none_match: str | None, revision: str) -> bool:
    """Whether an `If-None-Match` header names this revision (weakly compared, RFC 9110)."""
    if if_none_match is None:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or f'"{revision}"' in tags
