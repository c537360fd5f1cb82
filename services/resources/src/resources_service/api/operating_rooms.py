"""Operating rooms: create, list, read, replace, retire, and their dated exceptions."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from servicekit import audit
from servicekit.app import gateway_prefix
from servicekit.auth import CurrentPrincipal
from servicekit.deps import DirectReadsDep, ReadSessionDep, RuntimeDep, UnitOfWorkDep
from servicekit.error_responses import CREATED_AT_LOCATION
from servicekit.etags import etag
from servicekit.pages import Page, PageRequestDep

from resources_service import rooms
from resources_service.api.deps import IfMatch, SettingsDep, WriterDep
from resources_service.api.schemas.rooms import (
    RoomCreate,
    RoomExceptionCreate,
    RoomPublic,
    RoomSummary,
    RoomUpdate,
)

router = APIRouter(prefix="/operating-rooms", tags=["operating rooms"])
SortKey = Literal["code", "-code", "name", "-name", "updated_at", "-updated_at"]


@router.post("", status_code=201, summary="Add an operating room", responses=CREATED_AT_LOCATION)
async def create_room(
    body: RoomCreate,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    response: Response,
) -> RoomPublic:
    actor = audit.user(writer.user_id)
    room = await rooms.create(uow, body.command(), settings=settings, actor=actor)
    location = f"{gateway_prefix(runtime.service)}/operating-rooms/{room.row.room_id}"
    response.headers["Location"] = location
    return _shaped(room, settings, response)


@router.get("", summary="Operating rooms, filtered and sorted")
async def list_rooms(
    who: CurrentPrincipal,
    session: ReadSessionDep,
    page: PageRequestDep,
    status: Literal["active", "maintenance", "retired"] | None = None,
    capability: Annotated[str | None, Query(max_length=63)] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Part of code, name or place.")
    ] = None,
    include_retired: bool = False,
    sort: SortKey = "code",
) -> Page[RoomSummary]:
    where = rooms.RoomFilter(
        status=status,
        capability=capability,
        search=q,
        include_retired=include_retired or status == "retired",
        sort=sort,
    )
    rows, total = await rooms.list_rooms(session, where, page)
    items = [RoomSummary.model_validate(row, from_attributes=True) for row in rows]
    return Page(items=items, total=total, offset=page.offset, limit=page.limit)


@router.get("/{room_id}", summary="One operating room with its dated exceptions")
async def get_room(
    room_id: uuid.UUID,
    who: CurrentPrincipal,
    reads: DirectReadsDep,
    settings: SettingsDep,
    response: Response,
) -> RoomPublic:
    return _shaped(await rooms.read(reads, room_id), settings, response)


@router.put("/{room_id}", summary="Replace a room's code, name, capabilities, status and hours")
async def replace_room(
    room_id: uuid.UUID,
    body: RoomUpdate,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> RoomPublic:
    actor = audit.user(writer.user_id)
    room = await rooms.replace(
        uow, room_id, body.command(), settings=settings, actor=actor, if_match=if_match
    )
    return _shaped(room, settings, response)


@router.post("/{room_id}/retire", summary="Retire a room for good; it is kept, never deleted")
async def retire_room(
    room_id: uuid.UUID,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> RoomPublic:
    actor = audit.user(writer.user_id)
    room = await rooms.retire(uow, room_id, settings=settings, actor=actor, if_match=if_match)
    return _shaped(room, settings, response)


@router.post(
    "/{room_id}/exceptions",
    status_code=201,
    summary="Add a dated closure, extension of hours or maintenance window",
)
async def add_exception(
    room_id: uuid.UUID,
    body: RoomExceptionCreate,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> RoomPublic:
    actor = audit.user(writer.user_id)
    room = await rooms.add_exception(
        uow, room_id, body.command(), settings=settings, actor=actor, if_match=if_match
    )
    return _shaped(room, settings, response)


@router.delete("/{room_id}/exceptions/{exception_id}", summary="Remove a dated exception")
async def remove_exception(
    room_id: uuid.UUID,
    exception_id: uuid.UUID,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> RoomPublic:
    actor = audit.user(writer.user_id)
    room = await rooms.remove_exception(
        uow, room_id, exception_id, settings=settings, actor=actor, if_match=if_match
    )
    return _shaped(room, settings, response)


def _shaped(room: rooms.Room, settings: SettingsDep, response: Response) -> RoomPublic:
    public = RoomPublic.of(room.row, room.exceptions, settings.hospital_timezone)
    response.headers["ETag"] = etag(public.version)
    return public
