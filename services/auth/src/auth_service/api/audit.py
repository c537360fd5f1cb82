"""The audit store, for admins: who did what to which record, in every service, and when."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from contracts.values import ScheduleDatetime
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from servicekit.deps import ReadSessionDep
from servicekit.pages import Page, PageRequestDep
from servicekit.problems import Problem

from auth_service.api.deps import AdminDep
from auth_service.audit import entries
from auth_service.domain.audit import ACTION, SERVICE, AuditQuery, query_problems

router = APIRouter(prefix="/audit-entries", tags=["audit"])
Word = Annotated[str | None, Query(min_length=1, max_length=200)]


class AuditEntryPublic(BaseModel):
    """Who (`actor_kind`, `actor_id`) did what (`action`) to which record, where and when."""

    model_config = ConfigDict(from_attributes=True)

    audit_id: uuid.UUID
    at: datetime
    service: str
    actor_kind: str
    actor_id: str
    action: str
    record_type: str
    record_id: str
    details: dict[str, Any]
    request_id: str | None = None
    correlation_id: uuid.UUID
    stored_at: datetime


@router.get(
    "",
    summary="Audit entries of every service, newest first",
    description=(
        "Every `AuditRecorded` event on `audit.events.v1` (sign-ins, account and role changes, "
        "resource changes, every read or change of a case), stored within seconds and kept for "
        "`AUTH_AUDIT_RETENTION_DAYS` (six years by default). Filters combine; `record_id` also "
        "finds the scheduling lists that showed that case (`details.surgery_ids`). Reading this "
        "list is not itself audited."
    ),
)
async def list_audit_entries(
    admin: AdminDep,
    session: ReadSessionDep,
    page: PageRequestDep,
    actor_id: Annotated[
        str | None, Query(min_length=1, max_length=200, description="A user id or service name.")
    ] = None,
    action: Annotated[
        str | None,
        Query(max_length=100, pattern=ACTION.pattern, description="Exactly: `session.login`."),
    ] = None,
    record_type: Word = None,
    record_id: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="The record acted on (the subject)."),
    ] = None,
    service: Annotated[
        str | None,
        Query(pattern=SERVICE.pattern, description="The service that recorded it: `resources`."),
    ] = None,
    since: Annotated[
        ScheduleDatetime | None, Query(alias="from", description="At or after this instant.")
    ] = None,
    until: Annotated[
        ScheduleDatetime | None, Query(alias="to", description="Before this instant.")
    ] = None,
) -> Page[AuditEntryPublic]:
    query = AuditQuery(actor_id, action, record_type, record_id, service, since, until)
    if problems := query_problems(query):
        raise Problem(422, " ".join(problems), title="Invalid request")
    rows, total = await entries.listed(session, query, page)
    items = [AuditEntryPublic.model_validate(row, from_attributes=True) for row in rows]
    return Page(items=items, total=total, offset=page.offset, limit=page.limit)
