"""Operating rooms: each change writes the room, its full snapshot event and an audit record."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from contracts.events.audit import Actor
from contracts.events.resources_operating_rooms import (
    OperatingRoomRetired,
    OperatingRoomUpserted,
    RoomHoursException,
)
from servicekit.db import UnitOfWork
from servicekit.direct_reads import DirectReads, Query
from servicekit.pages import PageRequest, containing, fetch_page, ordering
from servicekit.problems import Problem
from sqlalchemy import ColumnElement, Row, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resources_service import records, windows
from resources_service.blocks import not_over
from resources_service.commands import RoomException, RoomState, details_of
from resources_service.db.tables import blocks, equipment_units, operating_rooms, room_exceptions
from resources_service.settings import ResourcesSettings

WHAT = "operating room"
SORTABLE: dict[str, ColumnElement[Any]] = {
    "code": operating_rooms.c.code,
    "name": operating_rooms.c.name,
    "updated_at": operating_rooms.c.updated_at,
}


@dataclass(frozen=True, slots=True)
class RoomFilter:
    status: str | None = None
    capability: str | None = None
    search: str | None = None  # in the code, name or location
    include_retired: bool = False
    sort: str = "code"


@dataclass(frozen=True, slots=True)
class Room:
    row: Row[Any]
    exceptions: list[Any]  # each with `exception_id`, `kind`, `period` and `note`


@dataclass(frozen=True, slots=True)
class HoursException:
    """A dated exception of a room's hours, as `room_exceptions` stores it."""

    exception_id: uuid.UUID
    kind: str
    period: Any  # a tstzrange
    note: str | None


async def get(session: AsyncSession, room_id: uuid.UUID) -> Room:
    """The room and its exceptions in time order, in one round trip (`404` when unknown)."""
    rows = (await session.execute(_ROOM_WITH_EXCEPTIONS.statement, {"room_id_": room_id})).all()
    return _room(room_id, rows)


async def read(reads: DirectReads, room_id: uuid.UUID) -> Room:
    """`get`, straight on asyncpg: the API's read by id."""
    return _room(room_id, await reads.all(_ROOM_WITH_EXCEPTIONS, room_id_=room_id))


def _room(room_id: uuid.UUID, rows: Sequence[Any]) -> Room:
    if not rows:
        raise Problem(404, f"There is no {WHAT} {room_id}.")
    exceptions = [
        HoursException(r.x_exception_id, r.x_kind, r.x_period, r.x_note)
        for r in rows
        if r.x_exception_id is not None
    ]
    return Room(rows[0], exceptions)


# The room's columns on every row, one row per exception (or one with none): built once.
_ROOM_WITH_EXCEPTIONS = Query(
    select(
        operating_rooms,
        *(
            room_exceptions.c[name].label(f"x_{name}")
            for name in ("exception_id", "kind", "period", "note")
        ),
    )
    .outerjoin(room_exceptions, room_exceptions.c.room_id == operating_rooms.c.room_id)
    .where(operating_rooms.c.room_id == bindparam("room_id_", type_=operating_rooms.c.room_id.type))
    .order_by(room_exceptions.c.period)
)


async def list_rooms(
    session: AsyncSession, where: RoomFilter, page: PageRequest
) -> tuple[list[Row[Any]], int]:
    table = operating_rooms
    conditions: list[ColumnElement[bool]] = []
    if not where.include_retired:
        conditions.append(table.c.retired_at.is_(None))
    if where.status:
        conditions.append(table.c.status == where.status)
    if where.capability:
        conditions.append(table.c.capabilities.any(where.capability))
    if where.search:
        pattern = containing(where.search.lower())
        conditions.append(
            or_(*(func.lower(c).like(pattern, escape="\\") for c in (table.c.code, table.c.name)))
            | func.lower(func.coalesce(table.c.location, "")).like(pattern, escape="\\")
        )
    order = (ordering(where.sort, SORTABLE), table.c.room_id)
    return await fetch_page(session, table, conditions, order, page)


async def create(
    uow: UnitOfWork, body: RoomState, *, settings: ResourcesSettings, actor: Actor
) -> Room:
    room_id = await stage_create(uow, body, settings=settings, actor=actor)
    return await _committed(uow, room_id)


async def stage_create(
    uow: UnitOfWork, body: RoomState, *, settings: ResourcesSettings, actor: Actor
) -> uuid.UUID:
    """`create` without the commit, for a caller that commits many changes as one (the seed)."""
    _ensure_known_capabilities(body.capabilities, settings)
    room_id = uuid.uuid4()
    # The partial unique index settles two concurrent creations of one code.
    inserted = await uow.session.scalar(
        insert(operating_rooms)
        .values(room_id=room_id, **_columns(body))
        .on_conflict_do_nothing()
        .returning(operating_rooms.c.room_id)
    )
    if inserted is None:
        raise Problem(409, f"A room in service has the code {body.code} already.")
    await _changed(uow, room_id, settings, actor, "operating_room.create", details_of(body))
    return room_id


async def replace(
    uow: UnitOfWork,
    room_id: uuid.UUID,
    body: RoomState,
    *,
    settings: ResourcesSettings,
    actor: Actor,
    if_match: str | None,
) -> Room:
    await records.for_change(uow.session, operating_rooms, room_id, WHAT, if_match)
    _ensure_known_capabilities(body.capabilities, settings)
    taken = await uow.session.scalar(
        select(operating_rooms.c.room_id).where(
            func.lower(operating_rooms.c.code) == body.code.lower(),
            operating_rooms.c.retired_at.is_(None),
            operating_rooms.c.room_id != room_id,
        )
    )
    if taken is not None:
        raise Problem(409, f"Room {taken} in service has the code {body.code} already.")
    await records.bump(uow.session, operating_rooms, room_id, **_columns(body))
    await _changed(uow, room_id, settings, actor, "operating_room.update", details_of(body))
    return await _committed(uow, room_id)


async def retire(
    uow: UnitOfWork,
    room_id: uuid.UUID,
    *,
    settings: ResourcesSettings,
    actor: Actor,
    if_match: str | None,
) -> Room:
    await records.for_change(uow.session, operating_rooms, room_id, WHAT, if_match)
    await _ensure_nothing_depends_on(uow.session, room_id, settings)
    now = datetime.now(UTC)
    await records.bump(uow.session, operating_rooms, room_id, status="retired", retired_at=now)
    room = await get(uow.session, room_id)
    await records.publish(
        uow,
        snapshot(room, settings.hospital_timezone),
        actor=actor,
        action="operating_room.retire",
        announced=OperatingRoomRetired(room_id=room_id, retired_at=now, version=room.row.version),
    )
    return await _committed(uow, room_id)


async def add_exception(
    uow: UnitOfWork,
    room_id: uuid.UUID,
    body: RoomException,
    *,
    settings: ResourcesSettings,
    actor: Actor,
    if_match: str | None,
) -> Room:
    await records.for_change(uow.session, operating_rooms, room_id, WHAT, if_match)
    exception_id = await windows.add(
        uow.session,
        room_exceptions,
        ("room_id", room_id),
        body.start,
        body.end,
        "exception",
        kind=body.kind.value,
        note=body.note,
    )
    await records.bump(uow.session, operating_rooms, room_id)
    details = {**details_of(body), "exception_id": str(exception_id)}
    await _changed(uow, room_id, settings, actor, "operating_room.exception_add", details)
    return await _committed(uow, room_id)


async def remove_exception(
    uow: UnitOfWork,
    room_id: uuid.UUID,
    exception_id: uuid.UUID,
    *,
    settings: ResourcesSettings,
    actor: Actor,
    if_match: str | None,
) -> Room:
    await records.for_change(uow.session, operating_rooms, room_id, WHAT, if_match)
    await windows.remove(uow.session, room_exceptions, ("room_id", room_id), exception_id)
    await records.bump(uow.session, operating_rooms, room_id)
    details = {"exception_id": str(exception_id)}
    await _changed(uow, room_id, settings, actor, "operating_room.exception_remove", details)
    return await _committed(uow, room_id)


def snapshot(room: Room, timezone: str) -> OperatingRoomUpserted:
    row = room.row
    return OperatingRoomUpserted(
        room_id=row.room_id,
        code=row.code,
        name=row.name,
        location=row.location,
        capabilities=tuple(row.capabilities),
        status=row.status,
        weekly_hours=row.weekly_hours,
        exceptions=tuple(
            RoomHoursException(kind=e.kind, start=e.period.lower, end=e.period.upper, note=e.note)
            for e in room.exceptions
        ),
        timezone=timezone,
        version=row.version,
        retired_at=row.retired_at,
    )


async def _committed(uow: UnitOfWork, room_id: uuid.UUID) -> Room:
    """The room as this change left it, read before the one commit that ends the change."""
    room = await get(uow.session, room_id)
    await uow.commit()
    return room


async def _changed(
    uow: UnitOfWork,
    room_id: uuid.UUID,
    settings: ResourcesSettings,
    actor: Actor,
    action: str,
    details: dict[str, Any],
) -> None:
    room = await get(uow.session, room_id)
    await records.publish(
        uow, snapshot(room, settings.hospital_timezone), actor=actor, action=action, details=details
    )


def _columns(body: RoomState) -> dict[str, Any]:
    return {
        "code": body.code,
        "name": body.name,
        "location": body.location,
        "capabilities": list(body.capabilities),
        "status": body.status,
        "weekly_hours": body.weekly_hours.model_dump(mode="json"),
    }


def _ensure_known_capabilities(capabilities: tuple[str, ...], settings: ResourcesSettings) -> None:
    unknown = [c for c in capabilities if c not in settings.room_capabilities]
    if unknown:
        raise Problem(
            422,
            f"Unknown capability {', '.join(unknown)}; this hospital knows "
            f"{', '.join(settings.room_capabilities)}.",
            title="Invalid request",
        )


async def _ensure_nothing_depends_on(
    session: AsyncSession, room_id: uuid.UUID, settings: ResourcesSettings
) -> None:
    live_blocks = [
        b.block_id for b in await not_over(session, settings, blocks.c.room_id == room_id)
    ]
    fixed_units = await session.scalars(
        select(equipment_units.c.unit_id).where(
            equipment_units.c.fixed_room_id == room_id, equipment_units.c.retired_at.is_(None)
        )
    )
    reasons = [f"block {b}" for b in live_blocks] + [
        f"fixed equipment unit {u}" for u in fixed_units
    ]
    if reasons:
        raise Problem(
            409,
            "The room cannot retire while these still need it: "
            + ", ".join(reasons)
            + ". Retire or move them first.",
        )
