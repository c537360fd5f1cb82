"""The audit log, for admins: who read or changed which case or booking, and when."""

from __future__ import annotations

from typing import Annotated

from contracts.values import ScheduleDatetime
from fastapi import APIRouter, Query
from servicekit.deps import ReadSessionDep
from servicekit.pages import Page, PageRequestDep

from scheduling_service.api.deps import AdminDep
from scheduling_service.api.schemas.audit import AuditEntryPublic
from scheduling_service.audit import audit_entries

router = APIRouter(prefix="/audit", tags=["audit"])
Word = Annotated[str | None, Query(max_length=200)]


@router.get(
    "",
    summary="Audit entries, newest first",
    description=(
        "Every read or change of a surgery request or booking, each list or day view as one "
        "entry naming the cases it showed (`details.surgery_ids`; `record_id` finds those "
        "too).\n\n"
        "Not audited: `GET /kpis`, whose figures are aggregates over many cases and name no "
        "case, request or booking (nothing about a patient is read); and `GET /audit` itself, "
        "which reads the log rather than any case, and would otherwise add an entry with every "
        "look at the log, burying the entries an admin is looking for. Only admins read it."
    ),
)
async def list_audit_entries(
    admin: AdminDep,
    session: ReadSessionDep,
    page: PageRequestDep,
    record_type: Word = None,
    record_id: Annotated[
        str | None,
        Query(
            max_length=200,
            description="The record changed or read; also finds the lists that showed it.",
        ),
    ] = None,
    actor_id: Word = None,
    action: Word = None,
    since: Annotated[
        ScheduleDatetime | None, Query(alias="from", description="At or after this instant.")
    ] = None,
    until: Annotated[
        ScheduleDatetime | None, Query(alias="to", description="Before this instant.")
    ] = None,
) -> Page[AuditEntryPublic]:
    where = audit_entries.AuditFilter(
        record_type=record_type,
        record_id=record_id,
        actor_id=actor_id,
        action=action,
        since=since,
        until=until,
    )
    rows, total = await audit_entries.listed(session, where, page)
    items = [AuditEntryPublic.model_validate(row, from_attributes=True) for row in rows]
    return Page(items=items, total=total, offset=page.offset, limit=page.limit)
