"""What every versioned record of this service shares: find, lock, guard, bump, audit."""

from __future__ import annotations

import uuid
from typing import Any

from contracts.envelope import Event
from contracts.events.audit import Actor
from servicekit import audit
from servicekit.db import UnitOfWork
from servicekit.etags import ensure_fresh
from servicekit.problems import Problem
from sqlalchemy import Row, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession


async def find(
    session: AsyncSession, table: Table, record_id: uuid.UUID, what: str, *, lock: bool = False
) -> Row[Any]:
    """The record, locked for the rest of the transaction when `lock`; `404` when unknown."""
    key = table.primary_key.columns.values()[0]
    query = select(table).where(key == record_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise Problem(404, f"There is no {what} {record_id}.")
    return row


async def for_change(
    session: AsyncSession, table: Table, record_id: uuid.UUID, what: str, if_match: str | None
) -> Row[Any]:
    """The record, locked, fresh against `If-Match` and still in service; else 404, 412 or 409."""
    row = await find(session, table, record_id, what, lock=True)
    ensure_fresh(if_match, row.version)
    ensure_in_service(row, what)
    return row


def ensure_in_service(row: Row[Any], what: str) -> None:
    if row.retired_at is not None:
        raise Problem(
            409,
            f"The {what} was retired on {row.retired_at:%Y-%m-%d}; a retired {what} "
            "cannot change or be referenced again.",
        )


async def bump(session: AsyncSession, table: Table, record_id: uuid.UUID, **values: Any) -> None:
    """Writes `values` and moves the record to its next version (its next ETag)."""
    key = table.primary_key.columns.values()[0]
    await session.execute(
        update(table)
        .where(key == record_id)
        .values(version=table.c.version + 1, updated_at=func.now(), **values)
    )


async def publish(
    uow: UnitOfWork,
    snapshot: Event,
    *,
    actor: Actor,
    action: str,
    details: dict[str, Any] | None = None,
    announced: Event | None = None,
) -> None:
    """The events and audit record of one change, in the transaction that made it.

    `announced` (a retirement, a release) goes first and the whole snapshot last: compaction
    keeps only the last message of a key, and it must describe the entity whole. The audit
    record's type is the action's first word (`operating_room.retire` → `operating_room`).
    """
    if announced is not None:
        await uow.outbox.add(announced)
    await uow.outbox.add(snapshot)
    await audit.record(
        uow,
        actor=actor,
        action=action,
        record_type=action.partition(".")[0],
        record_id=snapshot.aggregate_id(),
        details=details,
    )
