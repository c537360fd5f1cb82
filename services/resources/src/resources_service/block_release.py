"""Releasing one occurrence of a block: who gave it back and when, and the time is open again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from contracts.events.resources_blocks import BlockReleased
from servicekit import audit
from servicekit.db import UnitOfWork
from servicekit.problems import Problem
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resources_service import records
from resources_service.blocks import WHAT, Block, committed, get, snapshot
from resources_service.commands import Release, details_of
from resources_service.db.tables import block_releases, blocks
from resources_service.domain import block_rules as rules
from resources_service.settings import ResourcesSettings

# What one `BlockAllocated` snapshot carries of released dates (the contract's limit).
MAX_RELEASES = 1000


async def release(
    uow: UnitOfWork,
    block_id: uuid.UUID,
    body: Release,
    *,
    settings: ResourcesSettings,
    user_id: uuid.UUID,
    if_match: str | None,
) -> Block:
    """Gives one occurrence back: `BlockReleased`, then the snapshot that lists the date."""
    row = await records.for_change(uow.session, blocks, block_id, WHAT, if_match)
    today = datetime.now(ZoneInfo(settings.hospital_timezone)).date()
    if refusal := rules.release_refusal(rules.stored_pattern(row), body.date, today):
        raise Problem(422, refusal, title="Invalid request")
    released_at = await _record_release(uow.session, block_id, body, user_id)
    await records.bump(uow.session, blocks, block_id)
    block = await get(uow.session, block_id)
    await records.publish(
        uow,
        snapshot(block),
        actor=audit.user(user_id),
        action="block.release",
        details=details_of(body),
        announced=BlockReleased(
            block_id=block_id,
            occurrence_date=body.date,
            released_by=user_id,
            released_at=released_at,
            version=block.row.version,
        ),
    )
    return await committed(uow, block_id)


async def _record_release(
    session: AsyncSession, block_id: uuid.UUID, body: Release, user_id: uuid.UUID
) -> datetime:
    """Stores who released which date and when; once per date, and at most as many as a
    snapshot carries."""
    held = await session.scalar(
        select(func.count())
        .select_from(block_releases)
        .where(block_releases.c.block_id == block_id)
    )
    if (held or 0) >= MAX_RELEASES:
        raise Problem(
            409,
            f"Block {block_id} has {held} released dates, the most one block can hold; "
            "end it and allocate a new one instead.",
        )
    released_at = datetime.now(UTC)
    inserted = await session.scalar(
        insert(block_releases)
        .values(
            block_id=block_id,
            occurrence_date=body.date,
            released_by=user_id,
            released_at=released_at,
            reason=body.reason,
        )
        .on_conflict_do_nothing()
        .returning(block_releases.c.block_id)
    )
    if inserted is None:
        raise Problem(
            409, f"The occurrence of block {block_id} on {body.date} is released already."
        )
    return released_at
