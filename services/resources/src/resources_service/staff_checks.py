"""What a change of a staff member must pass: a linkable account, no live blocks, limits."""

from __future__ import annotations

import uuid

from servicekit.problems import Problem
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resources_service.blocks import not_over
from resources_service.db.tables import blocks, staff_members, user_access
from resources_service.settings import ResourcesSettings


async def ensure_user_can_link(
    session: AsyncSession, user_id: uuid.UUID, staff_id: uuid.UUID
) -> None:
    """The user is known here and active, and no other staff member in service links to them."""
    active = await session.scalar(
        select(user_access.c.active).where(user_access.c.user_id == user_id)
    )
    if active is None:
        raise Problem(
            422,
            f"There is no user {user_id} known to this service. A user created a moment ago "
            "may take a few seconds to arrive here: retry shortly.",
            title="Invalid request",
        )
    if not active:
        raise Problem(
            422,
            f"User {user_id} is deactivated; link an active account.",
            title="Invalid request",
        )
    other = (
        await session.execute(
            select(staff_members.c.staff_id, staff_members.c.name).where(
                staff_members.c.user_id == user_id,
                staff_members.c.retired_at.is_(None),
                staff_members.c.staff_id != staff_id,
            )
        )
    ).first()
    if other is not None:
        raise Problem(
            409,
            f"User {user_id} is linked to staff member {other.name} ({other.staff_id}) already; "
            "one account is one person.",
        )


async def ensure_no_live_blocks(
    session: AsyncSession,
    staff_id: uuid.UUID,
    settings: ResourcesSettings,
    change: str = "retire",
) -> None:
    """Refuses `change` (a verb phrase) while the member holds blocks that are not over."""
    live = await not_over(session, settings, blocks.c.surgeon_id == staff_id)
    if live:
        named = ", ".join(
            f"block {b.block_id} ({b.valid_from} to {b.valid_to or 'open-ended'})" for b in live
        )
        raise Problem(
            409,
            f"The staff member cannot {change} while they hold these blocks: {named}. "
            "Retire the blocks or give them to someone else first.",
        )
