"""Day lists: per room, per surgeon and per staff member, for a local date or a range."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from contracts.values import ScheduleDate
from fastapi import APIRouter, Header, Query, Response
from servicekit.auth import Principal
from servicekit.db import UnitOfWork
from servicekit.deps import ReadSessionDep, UnitOfWorkDep

from scheduling_service.api.deps import ReaderDep, SettingsDep
from scheduling_service.api.schemas.schedule import (
    PersonSchedule,
    RoomSchedule,
    ScheduleRevision,
    person_schedule_json,
    room_schedule_json,
)
from scheduling_service.settings import SchedulingSettings
from scheduling_service.views import schedule, schedule_revision

router = APIRouter(prefix="/schedule", tags=["schedule"])
First = Annotated[
    ScheduleDate, Query(alias="date", description="The (first) local date, YYYY-MM-DD.")
]
Last = Annotated[
    ScheduleDate | None,
    Query(alias="to", description="The last local date, included; absent means `date` alone."),
]


@router.get(
    "",
    summary="The day list per room: each room's cases in start order",
    description="Per local date, each room with its open time and its cases in start order. "
    f"For a range of up to {schedule.FULL_LIST_MAX_DAYS} days (or with `room_id`), every room "
    "open that date is listed, with or without cases, as a printed day list shows them; for a "
    "longer range without `room_id`, only the rooms holding a case that date "
    "(`empty_rooms_listed` says which).",
    response_model=RoomSchedule,
    responses={404: {"description": "`room_id` names no room known here."}},
)
async def rooms_schedule(
    reader: ReaderDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    first: First,
    last: Last = None,
    room_id: Annotated[uuid.UUID | None, Query(description="Only this room.")] = None,
) -> Response:
    query = schedule.DayListQuery(first, last or first, view="rooms", room_id=room_id)
    listed = await schedule.day_list(
        uow,
        reader,
        query,
        timezone=settings.hospital_timezone,
        max_days=settings.max_range_days,
    )
    return Response(room_schedule_json(listed), media_type="application/json")


@router.get(
    "/revision",
    summary="The schedule's revision: poll it to know when the board must be read again",
    description="An opaque string that changes, in the same transaction, with every change of "
    "what the day board or the waiting list shows: a case requested, corrected or moved along "
    "its lifecycle, a booking made, moved or freed with its staff and units, a proposal "
    "applied, the rooms, staff, equipment and blocks received from resources. Also the `ETag`; "
    "`If-None-Match` with it answers `304` while nothing changed. One indexed read, no audit.",
    responses={
        304: {"description": "Nothing changed since the revision in `If-None-Match`."},
    },
    response_model=ScheduleRevision,
)
async def revision(
    _reader: ReaderDep,
    session: ReadSessionDep,
    response: Response,
    if_none_match: Annotated[
        str | None, Header(description="The ETag of the revision read last.")
    ] = None,
) -> ScheduleRevision | Response:
    current = await schedule_revision.current_revision(session)
    headers = {"ETag": f'"{current}"', "Cache-Control": "no-cache"}
    if schedule_revision.matches(if_none_match, current):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return ScheduleRevision(revision=current)


@router.get(
    "/surgeons/{staff_id}",
    summary="A surgeon's list: the cases they operate, per date",
    response_model=PersonSchedule,
)
async def surgeon_schedule(
    staff_id: uuid.UUID,
    reader: ReaderDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    first: First,
    last: Last = None,
) -> Response:
    return await _person_schedule("surgeon", staff_id, reader, uow, settings, first, last)


@router.get(
    "/staff/{staff_id}",
    summary="A staff member's list: the cases they are assigned to in any role, per date",
    response_model=PersonSchedule,
)
async def staff_schedule(
    staff_id: uuid.UUID,
    reader: ReaderDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    first: First,
    last: Last = None,
) -> Response:
    return await _person_schedule("staff", staff_id, reader, uow, settings, first, last)


async def _person_schedule(
    view: str,
    staff_id: uuid.UUID,
    reader: Principal,
    uow: UnitOfWork,
    settings: SchedulingSettings,
    first: date,
    last: date | None,
) -> Response:
    query = schedule.DayListQuery(first, last or first, view=view, staff_id=staff_id)
    listed = await schedule.day_list(
        uow,
        reader,
        query,
        timezone=settings.hospital_timezone,
        max_days=settings.max_range_days,
    )
    return Response(person_schedule_json(listed), media_type="application/json")
