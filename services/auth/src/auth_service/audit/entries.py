"""Reading the audit store back: the entries an admin asks for, newest first."""

from __future__ import annotations

from typing import Any

from servicekit.pages import PageRequest, fetch_page
from sqlalchemy import ColumnElement, Row, or_
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.db.tables import audit_entries
from auth_service.domain.audit import AuditQuery


async def listed(
    session: AsyncSession, query: AuditQuery, page: PageRequest
) -> tuple[list[Row[Any]], int]:
    order = (audit_entries.c.at.desc(), audit_entries.c.audit_id.desc())
    return await fetch_page(session, audit_entries, matching(query), order, page)


def matching(query: AuditQuery) -> list[ColumnElement[bool]]:
    """The conditions of `query`, each on a column as stored so that its index applies."""
    t = audit_entries
    conditions: list[ColumnElement[bool]] = [
        column == value
        for column, value in (
            (t.c.actor_id, query.actor_id),
            (t.c.action, query.action),
            (t.c.record_type, query.record_type),
            (t.c.service, query.service),
        )
        if value is not None
    ]
    if query.record_id is not None:
        # Scheduling records a list or day view as one entry naming every case it showed.
        conditions.append(
            or_(
                t.c.record_id == query.record_id,
                t.c.details.contains({"surgery_ids": [query.record_id]}),
            )
        )
    if query.since is not None:
        conditions.append(t.c.at >= query.since)
    if query.until is not None:
        conditions.append(t.c.at < query.until)
    return conditions
