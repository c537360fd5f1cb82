"""Effective open intervals of rooms, staff and equipment units for a date range."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from contracts.values import ScheduleDate
from contracts.vocabulary import EquipmentType, StaffRole
from fastapi import APIRouter, Query
from servicekit.auth import CurrentPrincipal
from servicekit.deps import UnitOfWorkDep

from resources_service import availability
from resources_service.api.deps import SettingsDep
from resources_service.api.schemas.availability import Availability

router = APIRouter(prefix="/availability", tags=["availability"])
Kind = Literal["rooms", "staff", "equipment"]
Ids = list[uuid.UUID] | None


@router.get(
    "",
    summary="Open time of rooms (with their blocks), staff and equipment units, in UTC",
    response_model_by_alias=True,
)
async def get_availability(
    who: CurrentPrincipal,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    first: Annotated[ScheduleDate, Query(alias="from", description="First local date, included.")],
    last: Annotated[ScheduleDate, Query(alias="to", description="Last local date, included.")],
    kind: Annotated[
        list[Kind] | None, Query(description="Repeat to ask for several; absent means all.")
    ] = None,
    room_id: Annotated[Ids, Query(description="Only these rooms (repeatable).")] = None,
    staff_id: Annotated[Ids, Query(description="Only these staff members (repeatable).")] = None,
    unit_id: Annotated[Ids, Query(description="Only these equipment units (repeatable).")] = None,
    role: Annotated[StaffRole | None, Query(description="Only staff of this role.")] = None,
    equipment_type: Annotated[
        EquipmentType | None, Query(description="Only units of this equipment type.")
    ] = None,
) -> Availability:
    query = availability.AvailabilityQuery(
        first=first,
        last=last,
        kinds=frozenset(kind or availability.KINDS),
        room_ids=tuple(room_id or ()),
        staff_ids=tuple(staff_id or ()),
        unit_ids=tuple(unit_id or ()),
        role=role,
        equipment_type=equipment_type,
    )
    found = await availability.calendar(
        uow.session,
        query,
        timezone=settings.hospital_timezone,
        max_days=settings.availability_max_days,
    )
    return Availability.of(first, last, settings.hospital_timezone, found)
