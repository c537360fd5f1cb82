"""Reading the audit store back: the entries an admin asks for, newest first."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from servicekit.audit import entry_conditions
from servicekit.pages import PageRequest, fetch_page
from sqlalchemy import ColumnElement, Row
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.db.tables import audit_entries
from auth_service.domain.audit import AuditQuery


async def listed(
    session: AsyncSession, query: AuditQuery, page: PageRequest
) -> tuple[list[Row[Any]], int]:
    order = (audit_entries.c.at.desc(), audit_entries.c.audit_id.desc())
    return await fetch_page(session, audit_entries, matching(query), order, page)


def matching(query: AuditQuery) -> list[ColumnElement[bool]]:
    return entry_conditions(audit_entries, **asdict(query))
