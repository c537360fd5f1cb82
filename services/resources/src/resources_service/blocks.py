"""Blocks of room time: each change writes the block, its snapshot event and an audit record."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from contracts.calendar.blocks import BlockPattern
from contracts.events.audit import Actor
from contracts.events.resources_blocks import BlockAllocated
from contracts.values import Weekday
from contracts.vocabulary import StaffRole
from servicekit.db import UnitOfWork
from servicekit.pages import PageRequest, fetch_page, ordering
from servicekit.problems import Problem
from sqlalchemy import ColumnElement, Row, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from resources_service import records
from resources_service.commands import BlockState, details_of
from resources_service.db.tables import block_releases, blocks, operating_rooms, staff_members
from resources_service.domain import block_rules as rules
from resources_service.settings import ResourcesSettings

WHAT = "block"
SORTABLE: dict[str, ColumnElement[Any]] = {
    "valid_from": blocks.c.valid_from,
    "updated_at": blocks.c.updated_at,
}


@dataclass(frozen=True, slots=True)
class BlockFilter:
    room_id: uuid.UUID | None = None
    surgeon_id: uuid.UUID | None = None
    service: str | None = None
    active_on: date | None = None  # occurring that day, released occurrences excluded
    include_retired: bool = False
    sort: str = "valid_from"


@dataclass(frozen=True, slots=True)
class Block:
    row: Row[Any]
    releases: list[Row[Any]]  # in date order


async def get(session: AsyncSession, block_id: uuid.UUID) -> Block:
    row = await records.find(session, blocks, block_id, WHAT)
    return Block(row, (await releases_of(session, [block_id])).get(block_id, []))


async def list_blocks(
    session: AsyncSession, where: BlockFilter, page: PageRequest
) -> tuple[list[Block], int]:
    order = (ordering(where.sort, SORTABLE), blocks.c.block_id)
    rows, total = await fetch_page(session, blocks, _conditions(where), order, page)
    releases = await releases_of(session, [row.block_id for row in rows])
    return [Block(row, releases.get(row.block_id, [])) for row in rows], total


async def releases_of(
    session: AsyncSession, block_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Row[Any]]]:
    """The releases of several blocks in one query, each block's in date order."""
    found: dict[uuid.UUID, list[Row[Any]]] = {}
    if not block_ids:
        return found
    rows = await session.execute(
        select(block_releases)
        .where(block_releases.c.block_id.in_(block_ids))
        .order_by(block_releases.c.block_id, block_releases.c.occurrence_date)
    )
    for row in rows:
        found.setdefault(row.block_id, []).append(row)
    return found


async def not_over(
    session: AsyncSession, settings: ResourcesSettings, *where: ColumnElement[bool]
) -> list[Row[Any]]:
    """Blocks matching `where` that are not retired and not over, by the hospital's today."""
    today = datetime.now(ZoneInfo(settings.hospital_timezone)).date()
    rows = await session.execute(
        select(blocks)
        .where(
            *where,
            blocks.c.retired_at.is_(None),
            or_(blocks.c.valid_to.is_(None), blocks.c.valid_to >= today),
        )
        .order_by(blocks.c.valid_from, blocks.c.block_id)
    )
    return list(rows.all())


async def allocate(uow: UnitOfWork, body: BlockState, *, actor: Actor) -> Block:
    block_id = await stage_allocate(uow, body, actor=actor)
    return await committed(uow, block_id)


async def stage_allocate(uow: UnitOfWork, body: BlockState, *, actor: Actor) -> uuid.UUID:
    """`allocate` without the commit, for a caller that commits many changes as one (the seed)."""
    block_id = uuid.uuid4()
    await _ensure_allowed(uow.session, body, block_id)
    await uow.session.execute(blocks.insert().values(block_id=block_id, **_columns(body)))
    await _changed(uow, block_id, actor, "block.allocate", details_of(body))
    return block_id


async def replace(
    uow: UnitOfWork,
    block_id: uuid.UUID,
    body: BlockState,
    *,
    actor: Actor,
    if_match: str | None,
) -> Block:
    await records.for_change(uow.session, blocks, block_id, WHAT, if_match)
    releases = (await releases_of(uow.session, [block_id])).get(block_id, [])
    await _ensure_allowed(uow.session, body, block_id, [r.occurrence_date for r in releases])
    await records.bump(uow.session, blocks, block_id, **_columns(body))
    await _changed(uow, block_id, actor, "block.update", details_of(body))
    return await committed(uow, block_id)


async def retire(
    uow: UnitOfWork, block_id: uuid.UUID, *, actor: Actor, if_match: str | None
) -> Block:
    await records.for_change(uow.session, blocks, block_id, WHAT, if_match)
    await records.bump(uow.session, blocks, block_id, retired_at=datetime.now(UTC))
    # The snapshot with retired_at is the block's last word on its compacted topic.
    await _changed(uow, block_id, actor, "block.retire", {})
    return await committed(uow, block_id)


def snapshot(block: Block) -> BlockAllocated:
    row = block.row
    return BlockAllocated(
        block_id=row.block_id,
        room_id=row.room_id,
        surgeon_id=row.surgeon_id,
        service=row.service,
        recurrence=rules.recurrence_of(row),
        start_time=row.start_time,
        end_time=row.end_time,
        released_dates=tuple(r.occurrence_date for r in block.releases),
        version=row.version,
        retired_at=row.retired_at,
    )


async def committed(uow: UnitOfWork, block_id: uuid.UUID) -> Block:
    """The block as this change left it, read before the one commit that ends the change."""
    block = await get(uow.session, block_id)
    await uow.commit()
    return block


async def _changed(
    uow: UnitOfWork, block_id: uuid.UUID, actor: Actor, action: str, details: dict[str, Any]
) -> None:
    block = await get(uow.session, block_id)
    await records.publish(uow, snapshot(block), actor=actor, action=action, details=details)


async def _ensure_allowed(
    session: AsyncSession, body: BlockState, block_id: uuid.UUID, released: Iterable[date] = ()
) -> None:
    """The room and surgeon are in service and the room's other live blocks leave the time free.

    The room stays locked until the commit, so two allocations that would clash cannot both
    pass this check.
    """
    candidate = rules.pattern_of(body.recurrence, body.start_time, body.end_time, released)
    if never := rules.never_takes_place(candidate):
        raise Problem(422, never, title="Invalid request")
    room = await records.find(session, operating_rooms, body.room_id, "operating room", lock=True)
    records.ensure_in_service(room, "operating room")
    if body.surgeon_id is not None:
        await _ensure_surgeon(session, body.surgeon_id)
    others = await _live_blocks_of_room(session, body.room_id, block_id, candidate.valid_from)
    releases = await releases_of(session, [row.block_id for row in others])
    clash = rules.earliest_clash(
        candidate, [(row, _pattern(row, releases.get(row.block_id, []))) for row in others]
    )
    if clash is not None:
        other, day = clash
        raise Problem(
            409,
            f"The room is allocated to block {other.block_id} ({_owner(other)}, "
            f"{other.start_time}-{other.end_time}) on {day}, which overlaps "
            f"{body.start_time}-{body.end_time}; change or release that one first.",
            block_id=str(other.block_id),
            date=day.isoformat(),
        )


async def _ensure_surgeon(session: AsyncSession, staff_id: uuid.UUID) -> None:
    # FOR SHARE: the surgeon cannot be retired before this allocation commits.
    row = (
        await session.execute(
            select(staff_members)
            .where(staff_members.c.staff_id == staff_id)
            .with_for_update(read=True)
        )
    ).first()
    if row is None:
        raise Problem(404, f"There is no staff member {staff_id}.")
    records.ensure_in_service(row, "staff member")
    if row.status != "active":
        raise Problem(
            422,
            f"Staff member {staff_id} is inactive; only an active surgeon can hold a block.",
            title="Invalid request",
        )
    if row.role != StaffRole.SURGEON:
        raise Problem(
            422,
            f"Staff member {staff_id} is a {row.role}; only a surgeon can hold a block.",
            title="Invalid request",
        )


async def _live_blocks_of_room(
    session: AsyncSession, room_id: uuid.UUID, except_block: uuid.UUID, from_date: date
) -> list[Row[Any]]:
    """The room's blocks that are in force on `from_date` or later (the ones a new one meets)."""
    rows = await session.execute(
        select(blocks).where(
            blocks.c.room_id == room_id,
            blocks.c.retired_at.is_(None),
            blocks.c.block_id != except_block,
            or_(blocks.c.valid_to.is_(None), blocks.c.valid_to >= from_date),
        )
    )
    return list(rows.all())


def _owner(row: Row[Any]) -> str:
    return f"surgeon {row.surgeon_id}" if row.surgeon_id else f"service {row.service}"


def _columns(body: BlockState) -> dict[str, Any]:
    recurrence = body.recurrence
    if recurrence.kind == "date":
        validity = {"weekdays": [], "valid_from": recurrence.date, "valid_to": recurrence.date}
    else:
        validity = {
            "weekdays": [d.value for d in recurrence.weekdays],
            "valid_from": recurrence.valid_from,
            "valid_to": recurrence.valid_to,
        }
    return {
        "room_id": body.room_id,
        "surgeon_id": body.surgeon_id,
        "service": body.service,
        "recurrence": recurrence.kind,
        "start_time": body.start_time,
        "end_time": body.end_time,
        **validity,
    }


def _conditions(where: BlockFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if not where.include_retired:
        conditions.append(blocks.c.retired_at.is_(None))
    if where.room_id:
        conditions.append(blocks.c.room_id == where.room_id)
    if where.surgeon_id:
        conditions.append(blocks.c.surgeon_id == where.surgeon_id)
    if where.service:
        conditions.append(blocks.c.service == where.service)
    if where.active_on:
        conditions.append(_occurs_on(where.active_on))
    return conditions


def _occurs_on(day: date) -> ColumnElement[bool]:
    # A single-date block is stored with valid_from = valid_to and no weekdays.
    released = exists().where(
        block_releases.c.block_id == blocks.c.block_id, block_releases.c.occurrence_date == day
    )
    return and_(
        blocks.c.valid_from <= day,
        or_(blocks.c.valid_to.is_(None), blocks.c.valid_to >= day),
        or_(blocks.c.recurrence == "date", blocks.c.weekdays.any(Weekday.of(day).value)),
        ~released,
    )


def _pattern(row: Row[Any], releases: list[Row[Any]]) -> BlockPattern:
    return rules.stored_pattern(row, (r.occurrence_date for r in releases))
