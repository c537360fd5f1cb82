"""What every change of a case shares: find and lock it, its current booking, its history.

A case's `version` moves with every change of it or of its booking, and is its ETag: the
optimizer's proposals remember it to tell when a case changed under them.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from contracts.events.scheduling_surgeries import Booking, StaffAssignment
from servicekit.problems import Problem
from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service.db.tables import (
    bookings,
    case_history,
    equipment_usages,
    staff_assignments,
    surgery_requests,
)
from scheduling_service.resources_view import Unit


async def find(session: AsyncSession, surgery_id: uuid.UUID, *, lock: bool = False) -> Row[Any]:
    """The surgery request, locked for the rest of the transaction when `lock`; else `404`."""
    query = select(surgery_requests).where(surgery_requests.c.surgery_id == surgery_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise Problem(404, f"There is no surgery request {surgery_id}.")
    return row


async def bump(session: AsyncSession, surgery_id: uuid.UUID, **values: Any) -> int:
    """Writes `values` and moves the case to its next version; returns that version."""
    return (
        await session.execute(
            update(surgery_requests)
            .where(surgery_requests.c.surgery_id == surgery_id)
            .values(version=surgery_requests.c.version + 1, updated_at=func.now(), **values)
            .returning(surgery_requests.c.version)
        )
    ).scalar_one()


async def bookings_of(
    session: AsyncSession, surgery_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Booking]:
    """The current booking of each case of `surgery_ids` that has one, as the contract says it."""
    if not surgery_ids:
        return {}
    ids = list(surgery_ids)
    rows = (await session.execute(select(bookings).where(bookings.c.surgery_id.in_(ids)))).all()
    people = (
        await session.execute(
            select(staff_assignments)
            .where(staff_assignments.c.surgery_id.in_(ids))
            .order_by(staff_assignments.c.role, staff_assignments.c.staff_id)
        )
    ).all()
    units = (
        await session.execute(
            select(equipment_usages.c.surgery_id, equipment_usages.c.unit_id)
            .where(equipment_usages.c.surgery_id.in_(ids))
            .order_by(equipment_usages.c.unit_id)
        )
    ).all()
    found = {}
    for row in rows:
        found[row.surgery_id] = Booking(
            room_id=row.room_id,
            start=row.starts_at,
            end=row.ends_at,
            setup_minutes=row.setup_minutes,
            cleanup_minutes=row.cleanup_minutes,
            staff=tuple(
                StaffAssignment(staff_id=p.staff_id, role=p.role)
                for p in people
                if p.surgery_id == row.surgery_id
            ),
            equipment_unit_ids=tuple(u.unit_id for u in units if u.surgery_id == row.surgery_id),
        )
    return found


async def booking_of(session: AsyncSession, surgery_id: uuid.UUID) -> Booking | None:
    return (await bookings_of(session, [surgery_id])).get(surgery_id)


async def remember(
    session: AsyncSession,
    surgery_id: uuid.UUID,
    *,
    from_status: str | None,
    to_status: str,
    booking: Booking | None,
    changed_by: uuid.UUID | str | None,
    reason_code: str | None = None,
    reason: str | None = None,
    run_id: uuid.UUID | None = None,
) -> None:
    """One line of the case's history, with the booking it has (or had) at that moment."""
    await session.execute(
        insert(case_history).values(
            surgery_id=surgery_id,
            from_status=from_status,
            to_status=to_status,
            reason_code=reason_code,
            reason=reason,
            booking=booking.model_dump(mode="json") if booking is not None else None,
            changed_by=changed_by,
            run_id=run_id,
        )
    )


async def write_booking(
    session: AsyncSession,
    surgery_id: uuid.UUID,
    booking: Booking,
    units: Mapping[uuid.UUID, Unit],
    *,
    booked_by: uuid.UUID | str | None,
    run_id: uuid.UUID | None = None,
) -> None:
    """Inserts the booking, its people and its units; PostgreSQL refuses any double booking.

    The caller deletes the case's previous booking first, in the same transaction, so a move
    never collides with itself. Spans: the room from setup to cleanup, a person for the surgery,
    a unit for the surgery plus its turnaround.
    """
    surgery = (booking.start, booking.end)
    await session.execute(
        insert(bookings).values(
            surgery_id=surgery_id,
            room_id=booking.room_id,
            starts_at=booking.start,
            ends_at=booking.end,
            setup_minutes=booking.setup_minutes,
            cleanup_minutes=booking.cleanup_minutes,
            room_period=_range(booking.room_taken_from, booking.room_taken_until),
            booked_by=booked_by,
            run_id=run_id,
        )
    )
    if booking.staff:
        await session.execute(
            insert(staff_assignments),
            [
                {
                    "surgery_id": surgery_id,
                    "staff_id": a.staff_id,
                    "role": a.role.value,
                    "period": _range(*surgery),
                }
                for a in booking.staff
            ],
        )
    if booking.equipment_unit_ids:
        await session.execute(
            insert(equipment_usages),
            [
                {
                    "surgery_id": surgery_id,
                    "unit_id": unit_id,
                    "equipment_type": units[unit_id].equipment_type,
                    "turnaround_minutes": units[unit_id].turnaround_minutes,
                    "period": _range(
                        booking.start,
                        booking.end + timedelta(minutes=units[unit_id].turnaround_minutes),
                    ),
                }
                for unit_id in booking.equipment_unit_ids
            ],
        )


async def free_booking(session: AsyncSession, surgery_id: uuid.UUID) -> None:
    """Deletes the case's booking; its assignments and equipment usages go with it."""
    await session.execute(delete(bookings).where(bookings.c.surgery_id == surgery_id))


def _range(start: datetime, end: datetime) -> Range[datetime]:
    return Range(start, end, bounds="[)")
