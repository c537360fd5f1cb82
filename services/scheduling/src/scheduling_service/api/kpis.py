"""KPIs of the operating rooms for a range of local dates: overall, per room, per service."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from contracts.values import ScheduleDate
from fastapi import APIRouter, Query
from servicekit.deps import UnitOfWorkDep

from scheduling_service import kpis
from scheduling_service.api.deps import ReaderDep, SettingsDep
from scheduling_service.api.schemas.kpis import KpiSheetPublic

router = APIRouter(prefix="/kpis", tags=["kpis"])


@router.get(
    "",
    summary="Utilization, blocks, turnover, first-case starts, over/undertime, cancellations",
    response_model_by_alias=True,
)
async def get_kpis(
    _: ReaderDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    first: Annotated[ScheduleDate, Query(alias="from", description="First local date, included.")],
    last: Annotated[ScheduleDate, Query(alias="to", description="Last local date, included.")],
) -> KpiSheetPublic:
    sheet = await kpis.kpi_sheet(
        uow.session,
        first,
        last,
        timezone=settings.hospital_timezone,
        max_days=settings.max_range_days,
        grace_minutes=settings.first_case_grace_minutes,
        now=datetime.now(UTC),
    )
    return KpiSheetPublic.of(sheet, settings.first_case_grace_minutes)
