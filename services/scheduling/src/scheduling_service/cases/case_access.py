"""Applies `domain/access.py` to what is stored: who asks, who is on a case, and the same
rules as SQL conditions for the lists that filter in the database."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from contracts.events.scheduling_surgeries import Booking
from servicekit.auth import Principal
from servicekit.problems import Problem
from sqlalchemy import ColumnElement, Row, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service.db.tables import staff, staff_assignments, surgery_requests
from scheduling_service.domain.access import (
    CaseTies,
    Reader,
    Scope,
    Sight,
    may_record_wheels,
    needs_own_cases,
)


async def reader_of(session: AsyncSession, principal: Principal) -> Reader:
    """The principal with the staff members linked to their user, read only when a rule needs
    them (one indexed query, for clinicians)."""
    user_id = uuid.UUID(principal.user_id)
    if not needs_own_cases(principal.roles):
        return Reader(user_id, principal.roles)
    linked = await session.scalars(select(staff.c.staff_id).where(staff.c.user_id == user_id))
    return Reader(user_id, principal.roles, frozenset(linked))


def ties_of(row: Row[Any], assigned: Iterable[uuid.UUID]) -> CaseTies:
    """The ties of a `surgery_requests` row (or a day list's row) and its assigned people."""
    return CaseTies(row.surgeon_id, row.requested_by, frozenset(assigned))


def booked_people(booking: Booking | None) -> list[uuid.UUID]:
    return [a.staff_id for a in booking.staff] if booking is not None else []


def hidden(surgery_id: uuid.UUID) -> Problem:
    """The answer for a case the reader may not see: the same as for one that does not exist,
    so ids are no oracle."""
    return Problem(404, f"There is no surgery request {surgery_id}.")


def ensure_may_record_wheels(reader: Reader, row: Row[Any], booking: Booking | None) -> None:
    if not may_record_wheels(reader, ties_of(row, booked_people(booking))):
        raise Problem(
            403,
            f"Only the people assigned to case {row.surgery_id}, or a coordinator, record its "
            "wheels-in and wheels-out; you are not assigned to it.",
        )


def within(scope: Scope, reader: Reader) -> ColumnElement[bool]:
    """`scope` as a condition on `surgery_requests`: the same cases `access.covers` admits."""
    if scope is Scope.EVERY:
        return true()
    if scope is Scope.NONE:
        return false()
    t = surgery_requests
    staff_ids = list(reader.staff_ids)
    assigned = select(staff_assignments.c.surgery_id).where(
        staff_assignments.c.staff_id.in_(staff_ids)
    )
    return or_(
        t.c.surgeon_id.in_(staff_ids),
        t.c.requested_by == reader.user_id,
        t.c.surgery_id.in_(assigned),
    )


def shows_patient(sight: Sight) -> bool:
    return sight is Sight.FULL
