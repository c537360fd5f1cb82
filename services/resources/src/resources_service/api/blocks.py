"""Blocks of operating room time: allocate, list, read, change, release one occurrence, retire."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from contracts.values import ScheduleDate
from contracts.vocabulary import Specialty
from fastapi import APIRouter, Query, Response
from servicekit import audit
from servicekit.app import gateway_prefix
from servicekit.auth import CurrentPrincipal
from servicekit.deps import ReadSessionDep, RuntimeDep, UnitOfWorkDep
from servicekit.error_responses import CREATED_AT_LOCATION
from servicekit.etags import etag
from servicekit.pages import Page, PageRequestDep

from resources_service import block_release, blocks
from resources_service.api.deps import IfMatch, SettingsDep, WriterDep
from resources_service.api.schemas.blocks import (
    BlockCreate,
    BlockPublic,
    BlockReleaseCreate,
    BlockSummary,
    BlockUpdate,
)

router = APIRouter(prefix="/blocks", tags=["blocks"])
SortKey = Literal["valid_from", "-valid_from", "updated_at", "-updated_at"]


@router.post(
    "",
    status_code=201,
    summary="Allocate room time to a surgeon or a service",
    responses={
        **CREATED_AT_LOCATION,
        409: {"description": "Another live block of the room holds overlapping time."},
    },
)
async def allocate_block(
    body: BlockCreate,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    response: Response,
) -> BlockPublic:
    block = await blocks.allocate(uow, body.command(), actor=audit.user(writer.user_id))
    location = f"{gateway_prefix(runtime.service)}/blocks/{block.row.block_id}"
    response.headers["Location"] = location
    return _shaped(block, settings, response)


@router.get("", summary="Blocks, filtered and sorted, with their released dates")
async def list_blocks(
    who: CurrentPrincipal,
    session: ReadSessionDep,
    settings: SettingsDep,
    page: PageRequestDep,
    room_id: uuid.UUID | None = None,
    surgeon_id: uuid.UUID | None = None,
    service: Annotated[Specialty | None, Query()] = None,
    active_on: Annotated[
        ScheduleDate | None,
        Query(description="Only blocks holding their room that local date (not released)."),
    ] = None,
    include_retired: bool = False,
    sort: SortKey = "valid_from",
) -> Page[BlockSummary]:
    where = blocks.BlockFilter(
        room_id=room_id,
        surgeon_id=surgeon_id,
        service=service,
        active_on=active_on,
        include_retired=include_retired,
        sort=sort,
    )
    found, total = await blocks.list_blocks(session, where, page)
    timezone = settings.hospital_timezone
    items = [BlockSummary.of(b.row, b.releases, timezone) for b in found]
    return Page(items=items, total=total, offset=page.offset, limit=page.limit)


@router.get("/{block_id}", summary="One block with who released which date and why")
async def get_block(
    block_id: uuid.UUID,
    who: CurrentPrincipal,
    session: ReadSessionDep,
    settings: SettingsDep,
    response: Response,
) -> BlockPublic:
    return _shaped(await blocks.get(session, block_id), settings, response)


@router.put(
    "/{block_id}",
    summary="Replace a block's room, holder, recurrence and times; released dates stay",
)
async def replace_block(
    block_id: uuid.UUID,
    body: BlockUpdate,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> BlockPublic:
    actor = audit.user(writer.user_id)
    block = await blocks.replace(uow, block_id, body.command(), actor=actor, if_match=if_match)
    return _shaped(block, settings, response)


@router.post("/{block_id}/retire", summary="Withdraw the allocation; the block is kept")
async def retire_block(
    block_id: uuid.UUID,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> BlockPublic:
    actor = audit.user(writer.user_id)
    block = await blocks.retire(uow, block_id, actor=actor, if_match=if_match)
    return _shaped(block, settings, response)


@router.post(
    "/{block_id}/releases",
    status_code=201,
    summary="Give back one occurrence of the block: its time opens to every surgeon",
)
async def release_occurrence(
    block_id: uuid.UUID,
    body: BlockReleaseCreate,
    writer: WriterDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> BlockPublic:
    block = await block_release.release(
        uow,
        block_id,
        body.command(),
        settings=settings,
        user_id=uuid.UUID(writer.user_id),
        if_match=if_match,
    )
    return _shaped(block, settings, response)


def _shaped(block: blocks.Block, settings: SettingsDep, response: Response) -> BlockPublic:
    public = BlockPublic.of(block.row, block.releases, settings.hospital_timezone)
    response.headers["ETag"] = etag(public.version)
    return public
