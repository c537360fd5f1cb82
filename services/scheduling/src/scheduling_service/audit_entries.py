"""Reading the audit log back: the entries an admin asks for, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from servicekit.pages import PageRequest, fetch_page
from sqlalchemy import ColumnElement, Row, or_
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service.db.tables import audit_log


@dataclass(frozen=True, slots=True)
class AuditFilter:
    record_type: str | None = None
    record_id: str | None = None
    actor_id: str | None = None
    action: str | None = None
    since: datetime | None = None  # at or after
    until: datetime | None = None  # before


async def listed(
    session: AsyncSession, where: AuditFilter, page: PageRequest
) -> tuple[list[Row[Any]], int]:
    order = (audit_log.c.at.desc(), audit_log.c.audit_id.desc())
    return await fetch_page(session, audit_log, matching(where), order, page)


def matching(where: AuditFilter) -> list[ColumnElement[bool]]:
    """The conditions of `where` on `audit_log`, each on a column as stored so that its index
    applies: `record_id` (with `at`) and a GIN index on `details`."""
    t = audit_log
    conditions: list[ColumnElement[bool]] = []
    for column, value in (
        (t.c.record_type, where.record_type),
        (t.c.actor_id, where.actor_id),
        (t.c.action, where.action),
    ):
        if value is not None:
            conditions.append(column == value)
    if where.record_id is not None:
        # A list or day view records one entry naming every case it showed: who saw a case
        # includes who saw it in a list. `details @> {"surgery_ids": [id]}` is containment on
        # the column itself, which a GIN (jsonb_path_ops) index on `details` answers.
        conditions.append(
            or_(
                t.c.record_id == where.record_id,
                t.c.details.contains({"surgery_ids": [where.record_id]}),
            )
        )
    if where.since is not None:
        conditions.append(t.c.at >= where.since)
    if where.until is not None:
        conditions.append(t.c.at < where.until)
    return conditions
