"""Dated windows of a record (room exceptions, absences, maintenance): added, listed, removed.

PostgreSQL refuses two overlapping windows of one record (an exclusion constraint); the check
here comes first only to name the window in the way.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from servicekit.date_ranges import period
from servicekit.problems import Problem
from sqlalchemy import Row, Table, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

# What one record's snapshot event carries of one kind of window (the contracts' limit).
MAX_WINDOWS = 1000


async def add(
    session: AsyncSession,
    table: Table,
    parent: tuple[str, uuid.UUID],
    start: datetime,
    end: datetime,
    what: str,
    **values: Any,
) -> uuid.UUID:
    parent_column, parent_id = parent
    key = table.primary_key.columns.values()[0]
    held = await session.scalar(
        select(func.count()).select_from(table).where(table.c[parent_column] == parent_id)
    )
    if (held or 0) >= MAX_WINDOWS:
        raise Problem(
            409,
            f"This record holds {held} of its kind of {what}, the most it can; remove past ones.",
        )
    clash = (
        await session.execute(
            select(table)
            .where(table.c[parent_column] == parent_id, table.c.period.overlaps(period(start, end)))
            .order_by(table.c.period)
            .limit(1)
        )
    ).first()
    if clash is not None:
        raise Problem(
            409,
            f"The {what} {_span(start, end)} overlaps {what} {getattr(clash, key.name)} "
            f"({_span(clash.period.lower, clash.period.upper)}); change or remove that one first.",
        )
    window_id = uuid.uuid4()
    await session.execute(
        table.insert().values(
            {key.name: window_id, parent_column: parent_id, "period": period(start, end), **values}
        )
    )
    return window_id


async def remove(
    session: AsyncSession, table: Table, parent: tuple[str, uuid.UUID], window_id: uuid.UUID
) -> None:
    parent_column, parent_id = parent
    key = table.primary_key.columns.values()[0]
    deleted = await session.execute(
        delete(table).where(key == window_id, table.c[parent_column] == parent_id).returning(key)
    )
    if deleted.first() is None:
        raise Problem(404, f"There is no such window {window_id} here.")


async def of(session: AsyncSession, table: Table, parent: tuple[str, Any]) -> list[Row[Any]]:
    """The windows of one parent (or, given a list of ids, of several), in time order."""
    parent_column, parent_ids = parent
    column = table.c[parent_column]
    where = column.in_(parent_ids) if isinstance(parent_ids, list) else column == parent_ids
    return list((await session.execute(select(table).where(where).order_by(table.c.period))).all())


def _span(start: datetime, end: datetime) -> str:
    return f"{start.isoformat()} to {end.isoformat()}"
