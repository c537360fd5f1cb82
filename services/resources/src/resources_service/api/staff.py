"""Staff members: create, list, read, replace, retire, and their absences."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from contracts.vocabulary import StaffRole
from fastapi import APIRouter, Query, Response
from servicekit import audit
from servicekit.app import gateway_prefix
from servicekit.auth import CurrentPrincipal
from servicekit.deps import DirectReadsDep, ReadSessionDep, RuntimeDep, UnitOfWorkDep
from servicekit.error_responses import CREATED_AT_LOCATION
from servicekit.etags import etag
from servicekit.pages import Page, PageRequestDep

from resources_service import staff
from resources_service.api.deps import IfMatch, SettingsDep, WriterDep
from resources_service.api.schemas.staff import (
    AbsenceCreate,
    StaffCreate,
    StaffPublic,
    StaffSummary,
    StaffUpdate,
)

router = APIRouter(prefix="/staff", tags=["staff"])
SortKey = Literal["name", "-name", "role", "-role", "updated_at", "-updated_at"]


@router.post("", status_code=201, summary="Add a staff member", responses=CREATED_AT_LOCATION)
async def create_staff_member(
    body: StaffCreate,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    response: Response,
) -> StaffPublic:
    actor = audit.user(writer.user_id)
    member = await staff.create(uow, body.command(), settings=settings, actor=actor)
    location = f"{gateway_prefix(runtime.service)}/staff/{member.row.staff_id}"
    response.headers["Location"] = location
    return _shaped(member, settings, response)


@router.get("", summary="Staff members, filtered and sorted")
async def list_staff(
    who: CurrentPrincipal,
    session: ReadSessionDep,
    page: PageRequestDep,
    role: StaffRole | None = None,
    specialty: Annotated[str | None, Query(max_length=63)] = None,
    status: Literal["active", "inactive"] | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of the name.")] = None,
    include_retired: bool = False,
    sort: SortKey = "name",
) -> Page[StaffSummary]:
    where = staff.StaffFilter(
        role=role,
        specialty=specialty,
        status=status,
        search=q,
        include_retired=include_retired,
        sort=sort,
    )
    rows, total = await staff.list_staff(session, where, page)
    items = [StaffSummary.model_validate(row, from_attributes=True) for row in rows]
    return Page(items=items, total=total, offset=page.offset, limit=page.limit)


@router.get("/{staff_id}", summary="One staff member with their absences")
async def get_staff_member(
    staff_id: uuid.UUID,
    who: CurrentPrincipal,
    reads: DirectReadsDep,
    settings: SettingsDep,
    response: Response,
) -> StaffPublic:
    return _shaped(await staff.read(reads, staff_id), settings, response)


@router.put("/{staff_id}", summary="Replace a staff member's role, skills, pattern and account")
async def replace_staff_member(
    staff_id: uuid.UUID,
    body: StaffUpdate,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> StaffPublic:
    actor = audit.user(writer.user_id)
    member = await staff.replace(
        uow, staff_id, body.command(), settings=settings, actor=actor, if_match=if_match
    )
    return _shaped(member, settings, response)


@router.post("/{staff_id}/retire", summary="Retire a staff member for good; kept, never deleted")
async def retire_staff_member(
    staff_id: uuid.UUID,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> StaffPublic:
    actor = audit.user(writer.user_id)
    member = await staff.retire(uow, staff_id, settings=settings, actor=actor, if_match=if_match)
    return _shaped(member, settings, response)


@router.post("/{staff_id}/absences", status_code=201, summary="Add a dated absence")
async def add_absence(
    staff_id: uuid.UUID,
    body: AbsenceCreate,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> StaffPublic:
    actor = audit.user(writer.user_id)
    member = await staff.add_absence(
        uow, staff_id, body.command(), settings=settings, actor=actor, if_match=if_match
    )
    return _shaped(member, settings, response)


@router.delete("/{staff_id}/absences/{absence_id}", summary="Remove a dated absence")
async def remove_absence(
    staff_id: uuid.UUID,
    absence_id: uuid.UUID,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> StaffPublic:
    actor = audit.user(writer.user_id)
    member = await staff.remove_absence(
        uow, staff_id, absence_id, settings=settings, actor=actor, if_match=if_match
    )
    return _shaped(member, settings, response)


def _shaped(member: staff.StaffMember, settings: SettingsDep, response: Response) -> StaffPublic:
    public = StaffPublic.of(member.row, member.absences, settings.hospital_timezone)
    response.headers["ETag"] = etag(public.version)
    return public
