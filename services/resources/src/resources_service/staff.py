"""Staff members: each change writes the member, their full snapshot event and an audit record."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from contracts.events.audit import Actor
from contracts.events.resources_staff import StaffMemberRetired, StaffMemberUpserted
from contracts.values import TimeWindow
from servicekit.db import UnitOfWork
from servicekit.direct_reads import DirectReads, Query
from servicekit.pages import PageRequest, containing, fetch_page, ordering
from servicekit.problems import Problem
from sqlalchemy import ColumnElement, Row, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from resources_service import records, windows
from resources_service import staff_checks as checks
from resources_service.commands import Absence, StaffState, details_of
from resources_service.db.tables import staff_absences, staff_members
from resources_service.settings import ResourcesSettings

WHAT = "staff member"
SORTABLE: dict[str, ColumnElement[Any]] = {
    "name": staff_members.c.name,
    "role": staff_members.c.role,
    "updated_at": staff_members.c.updated_at,
}


@dataclass(frozen=True, slots=True)
class StaffFilter:
    role: str | None = None
    specialty: str | None = None
    status: str | None = None
    search: str | None = None  # in the name
    include_retired: bool = False
    sort: str = "name"


@dataclass(frozen=True, slots=True)
class StaffMember:
    row: Row[Any]
    absences: list[Any]  # each with `absence_id` and `period`


@dataclass(frozen=True, slots=True)
class StoredAbsence:
    """An absence as `staff_absences` stores it."""

    absence_id: uuid.UUID
    period: Any  # a tstzrange


async def get(session: AsyncSession, staff_id: uuid.UUID) -> StaffMember:
    """The member and their absences in time order, in one round trip (`404` when unknown)."""
    rows = (await session.execute(_MEMBER_WITH_ABSENCES.statement, {"staff_id_": staff_id})).all()
    return _member(staff_id, rows)


async def read(reads: DirectReads, staff_id: uuid.UUID) -> StaffMember:
    """`get`, straight on asyncpg: the API's read by id."""
    return _member(staff_id, await reads.all(_MEMBER_WITH_ABSENCES, staff_id_=staff_id))


def _member(staff_id: uuid.UUID, rows: Sequence[Any]) -> StaffMember:
    if not rows:
        raise Problem(404, f"There is no {WHAT} {staff_id}.")
    absences = [StoredAbsence(r.x_absence_id, r.x_period) for r in rows if r.x_absence_id]
    return StaffMember(rows[0], absences)


# The member's columns on every row, one row per absence (or one with none): built once.
_MEMBER_WITH_ABSENCES = Query(
    select(
        staff_members,
        staff_absences.c.absence_id.label("x_absence_id"),
        staff_absences.c.period.label("x_period"),
    )
    .outerjoin(staff_absences, staff_absences.c.staff_id == staff_members.c.staff_id)
    .where(staff_members.c.staff_id == bindparam("staff_id_", type_=staff_members.c.staff_id.type))
    .order_by(staff_absences.c.period)
)


async def list_staff(
    session: AsyncSession, where: StaffFilter, page: PageRequest
) -> tuple[list[Row[Any]], int]:
    table = staff_members
    conditions: list[ColumnElement[bool]] = []
    if not where.include_retired:
        conditions.append(table.c.retired_at.is_(None))
    if where.role:
        conditions.append(table.c.role == where.role)
    if where.specialty:
        conditions.append(table.c.specialties.any(where.specialty))
    if where.status:
        conditions.append(table.c.status == where.status)
    if where.search:
        pattern = containing(where.search.lower())
        conditions.append(func.lower(table.c.name).like(pattern, escape="\\"))
    # Within a role, people read in name order.
    order = (ordering(where.sort, SORTABLE), table.c.name, table.c.staff_id)
    return await fetch_page(session, table, conditions, order, page)


async def create(
    uow: UnitOfWork, body: StaffState, *, settings: ResourcesSettings, actor: Actor
) -> StaffMember:
    staff_id = await stage_create(uow, body, settings=settings, actor=actor)
    return await _committed(uow, staff_id)


async def stage_create(
    uow: UnitOfWork, body: StaffState, *, settings: ResourcesSettings, actor: Actor
) -> uuid.UUID:
    """`create` without the commit, for a caller that commits many changes as one (the seed)."""
    staff_id = uuid.uuid4()
    if body.user_id is not None:
        await checks.ensure_user_can_link(uow.session, body.user_id, staff_id)
    # The partial unique index settles two concurrent links of one user.
    inserted = await uow.session.scalar(
        insert(staff_members)
        .values(staff_id=staff_id, **_columns(body))
        .on_conflict_do_nothing()
        .returning(staff_members.c.staff_id)
    )
    if inserted is None:
        raise Problem(409, f"Another staff member in service links to user {body.user_id} now.")
    await _changed(uow, staff_id, settings, actor, "staff_member.create", details_of(body))
    return staff_id


async def replace(
    uow: UnitOfWork,
    staff_id: uuid.UUID,
    body: StaffState,
    *,
    settings: ResourcesSettings,
    actor: Actor,
    if_match: str | None,
) -> StaffMember:
    row = await records.for_change(uow.session, staff_members, staff_id, WHAT, if_match)
    # A link made earlier stays valid through edits, even once the account is deactivated.
    if body.user_id is not None and body.user_id != row.user_id:
        await checks.ensure_user_can_link(uow.session, body.user_id, staff_id)
    # A block holder must stay an active surgeon, as allocation demands (blocks.py).
    if row.role == "surgeon" and body.role != "surgeon":
        await checks.ensure_no_live_blocks(uow.session, staff_id, settings, "stop being a surgeon")
    if row.status == "active" and body.status != "active":
        await checks.ensure_no_live_blocks(uow.session, staff_id, settings, "become inactive")
    await records.bump(uow.session, staff_members, staff_id, **_columns(body))
    await _changed(uow, staff_id, settings, actor, "staff_member.update", details_of(body))
    return await _committed(uow, staff_id)


async def retire(
    uow: UnitOfWork,
    staff_id: uuid.UUID,
    *,
    settings: ResourcesSettings,
    actor: Actor,
    if_match: str | None,
) -> StaffMember:
    """The member is kept, with their status, for what references them; they take no more work."""
    await records.for_change(uow.session, staff_members, staff_id, WHAT, if_match)
    await checks.ensure_no_live_blocks(uow.session, staff_id, settings)
    now = datetime.now(UTC)
    await records.bump(uow.session, staff_members, staff_id, retired_at=now)
    member = await get(uow.session, staff_id)
    await records.publish(
        uow,
        snapshot(member, settings.hospital_timezone),
        actor=actor,
        action="staff_member.retire",
        announced=StaffMemberRetired(staff_id=staff_id, retired_at=now, version=member.row.version),
    )
    return await _committed(uow, staff_id)


async def add_absence(
    uow: UnitOfWork,
    staff_id: uuid.UUID,
    body: Absence,
    *,
    settings: ResourcesSettings,
    actor: Actor,
    if_match: str | None,
) -> StaffMember:
    await records.for_change(uow.session, staff_members, staff_id, WHAT, if_match)
    absence_id = await windows.add(
        uow.session, staff_absences, ("staff_id", staff_id), body.start, body.end, "absence"
    )
    await records.bump(uow.session, staff_members, staff_id)
    details = {**details_of(body), "absence_id": str(absence_id)}
    await _changed(uow, staff_id, settings, actor, "staff_member.absence_add", details)
    return await _committed(uow, staff_id)


async def remove_absence(
    uow: UnitOfWork,
    staff_id: uuid.UUID,
    absence_id: uuid.UUID,
    *,
    settings: ResourcesSettings,
    actor: Actor,
    if_match: str | None,
) -> StaffMember:
    await records.for_change(uow.session, staff_members, staff_id, WHAT, if_match)
    await windows.remove(uow.session, staff_absences, ("staff_id", staff_id), absence_id)
    await records.bump(uow.session, staff_members, staff_id)
    details = {"absence_id": str(absence_id)}
    await _changed(uow, staff_id, settings, actor, "staff_member.absence_remove", details)
    return await _committed(uow, staff_id)


def snapshot(member: StaffMember, timezone: str) -> StaffMemberUpserted:
    row = member.row
    return StaffMemberUpserted(
        staff_id=row.staff_id,
        name=row.name,
        role=row.role,
        specialties=tuple(row.specialties),
        skills=tuple(row.skills),
        working_pattern=row.working_pattern,
        timezone=timezone,
        absences=tuple(
            TimeWindow(start=a.period.lower, end=a.period.upper) for a in member.absences
        ),
        max_minutes_per_day=row.max_minutes_per_day,
        max_minutes_by_weekday=row.max_minutes_by_weekday,
        max_minutes_by_date=row.max_minutes_by_date,
        user_id=row.user_id,
        status=row.status,
        version=row.version,
        retired_at=row.retired_at,
    )


async def _committed(uow: UnitOfWork, staff_id: uuid.UUID) -> StaffMember:
    """The member as this change left them, read before the one commit that ends the change."""
    member = await get(uow.session, staff_id)
    await uow.commit()
    return member


async def _changed(
    uow: UnitOfWork,
    staff_id: uuid.UUID,
    settings: ResourcesSettings,
    actor: Actor,
    action: str,
    details: dict[str, Any],
) -> None:
    member = await get(uow.session, staff_id)
    await records.publish(
        uow,
        snapshot(member, settings.hospital_timezone),
        actor=actor,
        action=action,
        details=details,
    )


def _columns(body: StaffState) -> dict[str, Any]:
    return {
        "name": body.name,
        "role": body.role.value,
        "specialties": list(body.specialties),
        "skills": list(body.skills),
        "working_pattern": body.working_pattern.model_dump(mode="json"),
        "max_minutes_per_day": body.max_minutes_per_day,
        "max_minutes_by_weekday": {day.value: m for day, m in body.max_minutes_by_weekday.items()},
        "max_minutes_by_date": {day.isoformat(): m for day, m in body.max_minutes_by_date.items()},
        "user_id": body.user_id,
        "status": body.status,
    }
