"""Reading the audit log back: the entries an admin asks for, newest first."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from servicekit.audit import entry_conditions
from servicekit.pages import PageRequest, fetch_page
from sqlalchemy import ColumnElement, Row
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
    return entry_conditions(audit_log, **asdict(where))
