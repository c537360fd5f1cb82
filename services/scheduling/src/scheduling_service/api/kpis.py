"""KPIs of the operating rooms for a range of local dates: overall, per room, per service, per
surgeon and per week, optionally narrowed to a room, a service and a surgeon."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from contracts.values import ScheduleDate
from fastapi import APIRouter, Query
from servicekit.deps import UnitOfWorkDep

from scheduling_service.api.deps import ReaderDep, SettingsDep
from scheduling_service.api.schemas.kpis import KpiSheetPublic
from scheduling_service.domain.kpis.kpi_scope import Scope
from scheduling_service.views import kpis

router = APIRouter(prefix="/kpis", tags=["kpis"])


@router.get(
    "",
    summary="Utilization, blocks, turnover, first-case starts, over/undertime, cancellations",
    description="The figures of the range (narrowed by `room_id`, `specialty` and `surgeon_id` "
    "when given, all of them together), then the same per room, per service, per surgeon and "
    "per week (Monday to Sunday, cut to the range).",
    response_model_by_alias=True,
)
async def get_kpis(
    _: ReaderDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    first: Annotated[ScheduleDate, Query(alias="from", description="First local date, included.")],
    last: Annotated[ScheduleDate, Query(alias="to", description="Last local date, included.")],
    room_id: Annotated[uuid.UUID | None, Query(description="Only this room's figures.")] = None,
    specialty: Annotated[
        str | None, Query(max_length=63, description="Only the cases and blocks of this service.")
    ] = None,
    surgeon_id: Annotated[
        uuid.UUID | None, Query(description="Only the cases and blocks of this surgeon.")
    ] = None,
) -> KpiSheetPublic:
    sheet = await kpis.kpi_sheet(
        uow.session,
        first,
        last,
        timezone=settings.hospital_timezone,
        max_days=settings.max_range_days,
        grace_minutes=settings.first_case_grace_minutes,
        now=datetime.now(UTC),
        within=Scope(room_id=room_id, service=specialty, surgeon_id=surgeon_id),
    )
    return KpiSheetPublic.of(sheet, settings.first_case_grace_minutes)
