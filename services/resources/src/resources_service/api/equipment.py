"""Equipment and its individually identified units, their maintenance windows.

Every change of a unit is a change of its equipment: it takes the equipment's ETag in `If-Match`
and answers the whole equipment with its next ETag.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from contracts.vocabulary import EquipmentType
from fastapi import APIRouter, Query, Response
from servicekit import audit
from servicekit.app import gateway_prefix
from servicekit.auth import CurrentPrincipal
from servicekit.deps import ReadSessionDep, RuntimeDep, UnitOfWorkDep
from servicekit.error_responses import CREATED_AT_LOCATION
from servicekit.etags import etag
from servicekit.pages import Page, PageRequestDep

from resources_service.api.deps import IfMatch, WriterDep
from resources_service.api.schemas.equipment import (
    EquipmentCreate,
    EquipmentPublic,
    EquipmentSummary,
    EquipmentUpdate,
    MaintenanceCreate,
    UnitCreate,
    UnitUpdate,
)
from resources_service.equipment import pieces, units

router = APIRouter(prefix="/equipment", tags=["equipment"])
SortKey = Literal["name", "-name", "equipment_type", "-equipment_type", "updated_at", "-updated_at"]


@router.post(
    "",
    status_code=201,
    summary="Add equipment with its units",
    responses=CREATED_AT_LOCATION,
)
async def create_equipment(
    body: EquipmentCreate,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    runtime: RuntimeDep,
    response: Response,
) -> EquipmentPublic:
    item = await pieces.create(uow, body.command(), actor=audit.user(writer.user_id))
    location = f"{gateway_prefix(runtime.service)}/equipment/{item.row.equipment_id}"
    response.headers["Location"] = location
    return _shaped(item, response)


@router.get("", summary="Equipment with its units, filtered and sorted")
async def list_equipment(
    who: CurrentPrincipal,
    session: ReadSessionDep,
    page: PageRequestDep,
    equipment_type: EquipmentType | None = None,
    mobile: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of the name.")] = None,
    include_retired: bool = False,
    sort: SortKey = "name",
) -> Page[EquipmentSummary]:
    where = pieces.EquipmentFilter(
        equipment_type=equipment_type,
        mobile=mobile,
        search=q,
        include_retired=include_retired,
        sort=sort,
    )
    rows, units_of, total = await pieces.list_equipment(session, where, page)
    items = [EquipmentSummary.of(row, units_of[row.equipment_id]) for row in rows]
    return Page(items=items, total=total, offset=page.offset, limit=page.limit)


@router.get("/{equipment_id}", summary="One piece of equipment, its units and their maintenance")
async def get_equipment(
    equipment_id: uuid.UUID, who: CurrentPrincipal, session: ReadSessionDep, response: Response
) -> EquipmentPublic:
    return _shaped(await pieces.get(session, equipment_id), response)


@router.put("/{equipment_id}", summary="Replace the equipment's name, type, mobility, turnaround")
async def replace_equipment(
    equipment_id: uuid.UUID,
    body: EquipmentUpdate,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    response: Response,
    if_match: IfMatch = None,
) -> EquipmentPublic:
    actor = audit.user(writer.user_id)
    item = await pieces.replace(uow, equipment_id, body.command(), actor=actor, if_match=if_match)
    return _shaped(item, response)


@router.post("/{equipment_id}/retire", summary="Retire equipment and all its units for good")
async def retire_equipment(
    equipment_id: uuid.UUID,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    response: Response,
    if_match: IfMatch = None,
) -> EquipmentPublic:
    actor = audit.user(writer.user_id)
    item = await pieces.retire(uow, equipment_id, actor=actor, if_match=if_match)
    return _shaped(item, response)


@router.post("/{equipment_id}/units", status_code=201, summary="Add a unit")
async def add_unit(
    equipment_id: uuid.UUID,
    body: UnitCreate,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    response: Response,
    if_match: IfMatch = None,
) -> EquipmentPublic:
    actor = audit.user(writer.user_id)
    item = await units.add(uow, equipment_id, body.command(), actor=actor, if_match=if_match)
    return _shaped(item, response)


@router.put(
    "/{equipment_id}/units/{unit_id}", summary="Replace a unit's label, serial, status and room"
)
async def replace_unit(
    equipment_id: uuid.UUID,
    unit_id: uuid.UUID,
    body: UnitUpdate,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    response: Response,
    if_match: IfMatch = None,
) -> EquipmentPublic:
    actor = audit.user(writer.user_id)
    item = await units.replace(
        uow, equipment_id, unit_id, body.command(), actor=actor, if_match=if_match
    )
    return _shaped(item, response)


@router.post(
    "/{equipment_id}/units/{unit_id}/retire",
    summary="Retire a unit for good; it stays listed, retired, for the bookings that name it",
)
async def retire_unit(
    equipment_id: uuid.UUID,
    unit_id: uuid.UUID,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    response: Response,
    if_match: IfMatch = None,
) -> EquipmentPublic:
    actor = audit.user(writer.user_id)
    item = await units.retire(uow, equipment_id, unit_id, actor=actor, if_match=if_match)
    return _shaped(item, response)


@router.post(
    "/{equipment_id}/units/{unit_id}/maintenance",
    status_code=201,
    summary="Add a dated maintenance window to a unit",
)
async def add_maintenance(
    equipment_id: uuid.UUID,
    unit_id: uuid.UUID,
    body: MaintenanceCreate,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    response: Response,
    if_match: IfMatch = None,
) -> EquipmentPublic:
    actor = audit.user(writer.user_id)
    item = await units.add_maintenance(
        uow, equipment_id, unit_id, body.command(), actor=actor, if_match=if_match
    )
    return _shaped(item, response)


@router.delete(
    "/{equipment_id}/units/{unit_id}/maintenance/{window_id}",
    summary="Remove a unit's maintenance window",
)
async def remove_maintenance(
    equipment_id: uuid.UUID,
    unit_id: uuid.UUID,
    window_id: uuid.UUID,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    response: Response,
    if_match: IfMatch = None,
) -> EquipmentPublic:
    actor = audit.user(writer.user_id)
    item = await units.remove_maintenance(
        uow, equipment_id, unit_id, window_id, actor=actor, if_match=if_match
    )
    return _shaped(item, response)


def _shaped(item: pieces.Equipment, response: Response) -> EquipmentPublic:
    public = EquipmentPublic.of(item.row, item.units, item.maintenance)
    response.headers["ETag"] = etag(public.version)
    return public
