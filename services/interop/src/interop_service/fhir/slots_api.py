"""FHIR Slot search and read: each room's time per local day, free from its availability
rules (held by a block where one holds it) and busy where a booked case takes it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from fastapi import APIRouter, Depends, Request
from fhir.resources.R4B.resource import Resource
from servicekit.deps import ReadSessionDep, RuntimeDep
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from interop_service.db.fhir_resources import fhir_rooms
from interop_service.domain.fhir_resources import schedule_of
from interop_service.domain.fhir_resources_slots import (
    RoomSlot,
    parse_slot_id,
    room_slots,
    slot_of,
)
from interop_service.fhir import cases_store
from interop_service.fhir import resources_store as store
from interop_service.fhir.common import (
    REGISTRY,
    SEARCH_RESPONSES,
    FhirReaderDep,
    ResourceCapability,
    SearchParam,
    SearchQuery,
    fhir_error,
    fhir_response,
    not_found,
    read_responses,
    reference_id,
    searching,
    searchset,
)
from interop_service.fhir.resources_store import Page
from interop_service.settings import InteropSettings

# The longest range one Slot search covers, as scheduling's day lists (`max_range_days`).
MAX_RANGE_DAYS = 92
DEFAULT_RANGE_DAYS = 7
STATUSES = ("free", "busy")
SPEC = "http://hl7.org/fhir/SearchParameter"

SLOT = REGISTRY.declare(
    ResourceCapability(
        type="Slot",
        search_params=(
            SearchParam(
                "schedule",
                "reference",
                "The room's Schedule (Schedule/<room id>).",
                f"{SPEC}/Slot-schedule",
            ),
            SearchParam(
                "start",
                "date",
                f"When the Slot starts: ge… and le… (at most {MAX_RANGE_DAYS} days; none: today "
                f"and the {DEFAULT_RANGE_DAYS} days after, in the hospital's time zone).",
                f"{SPEC}/Slot-start",
            ),
            SearchParam("status", "token", "free or busy.", f"{SPEC}/Slot-status", codes=STATUSES),
        ),
        search_includes=("Slot:schedule",),
        documentation="Each room's time per local day: free (open, maybe held by a block) "
        "or busy (a booked case, setup to cleanup).",
    )
)
SlotSearch = Annotated[SearchQuery, Depends(searching(SLOT))]


def register(router: APIRouter) -> None:
    """Adds the Slot routes to the FHIR router of resources (`resources_api`)."""
    router.get(
        "/Slot",
        summary="Search the rooms' Slots",
        responses=SEARCH_RESPONSES,
        openapi_extra={"parameters": SLOT.openapi_parameters()},
    )(search_slots)
    router.get("/Slot/{resource_id}", summary="A room's Slot", responses=read_responses("Slot"))(
        read_slot
    )


async def search_slots(
    request: Request,
    query: SlotSearch,
    session: ReadSessionDep,
    runtime: RuntimeDep[InteropSettings],
    _: FhirReaderDep,
) -> Response:
    start, end = _range(query, ZoneInfo(runtime.settings.hospital_timezone))
    rooms = await _rooms(session, query)
    statuses = query.codes("status", STATUSES)
    slots = [
        slot
        for slot in await _slots(session, rooms, start, end)
        if start <= slot.span.start < end and (not statuses or slot.status in statuses)
    ]
    page = slots[query.offset : query.offset + query.count]
    included: list[Resource] = []
    if "Slot:schedule" in query.includes:
        shown = {slot.room_id for slot in page}
        included = [schedule_of(room) for room in rooms if room.room_id in shown]
    matches = [slot_of(slot) for slot in page]
    return fhir_response(request, searchset(request, query, matches, len(slots), included))


async def read_slot(
    request: Request, resource_id: str, session: ReadSessionDep, _: FhirReaderDep
) -> Response:
    named = parse_slot_id(resource_id)
    room = (await store.rooms_by_id(session, [named[0]])).get(named[0]) if named else None
    if named is None or room is None:
        raise not_found("Slot", resource_id)
    start = named[1]
    slots = await _slots(session, [room], start, start + timedelta(minutes=1))
    found = next((slot for slot in slots if slot.id == resource_id), None)
    if found is None:
        raise not_found("Slot", resource_id)
    return fhir_response(request, slot_of(found))


def _range(query: SearchQuery, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants the Slots' starts may fall in: the `start` bounds, else today's local date
    and the days after it."""
    bounds = query.dates("start", zone)
    lowers = [b for bound in bounds if (b := bound.lower()) is not None]
    uppers = [b for bound in bounds if (b := bound.upper()) is not None]
    default = timedelta(days=DEFAULT_RANGE_DAYS + 1)
    if lowers:
        start = max(lowers)
    elif uppers:
        start = min(uppers) - default
    else:
        today = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        start = today
    end = min(uppers) if uppers else start + default
    if end - start > timedelta(days=MAX_RANGE_DAYS):
        raise fhir_error(
            422, f"A Slot search covers at most {MAX_RANGE_DAYS} days; ask for less.", "too-costly"
        )
    return start, end


async def _rooms(session: AsyncSession, query: SearchQuery) -> list[OperatingRoomUpserted]:
    conditions = [fhir_rooms.c.retired_at.is_(None)]
    schedules = query.any_of("schedule")
    if schedules:
        ids = [found for value in schedules if (found := reference_id(value, "Schedule"))]
        conditions.append(fhir_rooms.c.room_id.in_(ids))
    rooms, _ = await store.rooms(session, conditions, Page(0, 10_000))
    return rooms


async def _slots(
    session: AsyncSession, rooms: Sequence[OperatingRoomUpserted], start: datetime, end: datetime
) -> list[RoomSlot]:
    if end <= start or not rooms:
        return []
    ids: list[uuid.UUID] = [room.room_id for room in rooms]
    booked = await cases_store.booked_spans(
        session, ids, start - timedelta(days=1), end + timedelta(days=1)
    )
    blocks = await store.live_blocks(session, ids)
    slots: list[RoomSlot] = []
    for room in rooms:
        zone = ZoneInfo(room.timezone)
        first, last = (
            start.astimezone(zone).date(),
            (end - timedelta(microseconds=1)).astimezone(zone).date(),
        )
        spans = [Span(a, b) for a, b in booked.get(room.room_id, [])]
        slots += room_slots(room, first, last, spans, blocks.get(room.room_id, []))
    return sorted(slots, key=lambda slot: (slot.span.start, str(slot.room_id)))
