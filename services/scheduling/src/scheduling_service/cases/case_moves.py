"""A case moving along its lifecycle: confirmed, into the room, out of it, postponed, cancelled.

Each move locks the case, checks `If-Match` and the lifecycle, bumps the version, writes a
history line with the booking the case had, its event and its audit entry, in one transaction,
which the move commits (its `stage_…` form leaves that to a larger change).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from contracts.envelope import Event
from contracts.events.scheduling_surgeries import (
    Booking,
    SurgeryCancelled,
    SurgeryStatusChanged,
)
from servicekit.auth import Principal
from servicekit.db import UnitOfWork
from servicekit.etags import ensure_fresh
from servicekit.problems import Problem
from sqlalchemy import Row

from scheduling_service import metrics
from scheduling_service.audit import audit_log
from scheduling_service.cases import case_access, cases
from scheduling_service.domain import lifecycle, wheels
from scheduling_service.domain.lifecycle import Status

_WHEELS = frozenset({"wheels_in", "wheels_out"})


@dataclass(frozen=True, slots=True)
class Move:
    """A move the lifecycle allows, on the locked case as it was before it."""

    action: str
    row: Row[Any]
    booking: Booking | None
    target: Status
    by: Principal
    at: datetime

    @property
    def surgery_id(self) -> uuid.UUID:
        surgery_id: uuid.UUID = self.row.surgery_id
        return surgery_id

    @property
    def changed_by(self) -> uuid.UUID:
        return uuid.UUID(self.by.user_id)

    def status_changed(self, **values: Any) -> SurgeryStatusChanged:
        return SurgeryStatusChanged(
            surgery_id=self.surgery_id,
            from_status=self.row.status,
            to_status=self.target,
            changed_by=self.changed_by,
            changed_at=self.at,
            **values,
        )


async def stage_confirm(
    uow: UnitOfWork, surgery_id: uuid.UUID, *, by: Principal, if_match: str | None
) -> None:
    move = await _begin(uow, surgery_id, "confirm", by=by, if_match=if_match)
    await _finish(uow, move, move.status_changed())


async def stage_wheels_in(
    uow: UnitOfWork,
    surgery_id: uuid.UUID,
    at: datetime | None,
    *,
    by: Principal,
    if_match: str | None,
) -> None:
    """`at` (now if absent) must be plausible: not ahead of now, not long before the booking."""
    move = await _begin(uow, surgery_id, "wheels_in", by=by, if_match=if_match)
    came_in = at or move.at
    booked_start = move.booking.start if move.booking is not None else None
    with _refusing_implausible_times():
        wheels.ensure_plausible_wheels_in(came_in, booked_start=booked_start, now=move.at)
    await _finish(uow, move, move.status_changed(wheels_in=came_in), wheels_in=came_in)


async def stage_wheels_out(
    uow: UnitOfWork,
    surgery_id: uuid.UUID,
    at: datetime | None,
    *,
    by: Principal,
    if_match: str | None,
) -> None:
    """`at` (now if absent) must be plausible: not ahead of now, within a day after wheels in."""
    move = await _begin(uow, surgery_id, "wheels_out", by=by, if_match=if_match)
    went_out = at or move.at
    with _refusing_implausible_times():
        wheels.ensure_plausible_wheels_out(move.row.wheels_in, went_out, now=move.at)
    event = move.status_changed(wheels_in=move.row.wheels_in, wheels_out=went_out)
    await _finish(uow, move, event, wheels_out=went_out)


async def stage_postpone(
    uow: UnitOfWork,
    surgery_id: uuid.UUID,
    reason_code: str,
    reason: str | None,
    *,
    by: Principal,
    if_match: str | None,
) -> None:
    """Frees the booking (history keeps it): the case is back on the waiting list."""
    move = await _begin(uow, surgery_id, "postpone", by=by, if_match=if_match)
    event = move.status_changed(reason_code=reason_code)
    await _finish(uow, move, event, reason_code=reason_code, reason=reason)
    metrics.CASES_STOPPED.labels("postponed", reason_code).inc()


async def stage_cancel(
    uow: UnitOfWork,
    surgery_id: uuid.UUID,
    reason_code: str,
    reason: str | None,
    *,
    by: Principal,
    if_match: str | None,
) -> None:
    """The case will not take place; a booking it had is freed (history keeps it)."""
    move = await _begin(uow, surgery_id, "cancel", by=by, if_match=if_match)
    event = SurgeryCancelled(
        surgery_id=surgery_id,
        reason_code=reason_code,
        reason=reason,
        cancelled_by=move.changed_by,
        cancelled_at=move.at,
    )
    await _finish(uow, move, event, reason_code=reason_code, reason=reason)
    metrics.CASES_STOPPED.labels("cancelled", reason_code).inc()


# The moves as use cases: each stages its move and commits it. A move that is part of a larger
# change (an emergency's push-outs, the demo seed) calls the `stage_…` form, and its caller
# commits once.
async def confirm(
    uow: UnitOfWork, surgery_id: uuid.UUID, *, by: Principal, if_match: str | None
) -> None:
    await stage_confirm(uow, surgery_id, by=by, if_match=if_match)
    await uow.commit()


async def wheels_in(
    uow: UnitOfWork,
    surgery_id: uuid.UUID,
    at: datetime | None,
    *,
    by: Principal,
    if_match: str | None,
) -> None:
    await stage_wheels_in(uow, surgery_id, at, by=by, if_match=if_match)
    await uow.commit()


async def wheels_out(
    uow: UnitOfWork,
    surgery_id: uuid.UUID,
    at: datetime | None,
    *,
    by: Principal,
    if_match: str | None,
) -> None:
    await stage_wheels_out(uow, surgery_id, at, by=by, if_match=if_match)
    await uow.commit()


async def postpone(
    uow: UnitOfWork,
    surgery_id: uuid.UUID,
    reason_code: str,
    reason: str | None,
    *,
    by: Principal,
    if_match: str | None,
) -> None:
    await stage_postpone(uow, surgery_id, reason_code, reason, by=by, if_match=if_match)
    await uow.commit()


async def cancel(
    uow: UnitOfWork,
    surgery_id: uuid.UUID,
    reason_code: str,
    reason: str | None,
    *,
    by: Principal,
    if_match: str | None,
) -> None:
    await stage_cancel(uow, surgery_id, reason_code, reason, by=by, if_match=if_match)
    await uow.commit()


@contextmanager
def _refusing_implausible_times() -> Iterator[None]:
    try:
        yield
    except wheels.TimesRefused as exc:
        raise Problem(422, str(exc), title="Invalid request") from None


async def _begin(
    uow: UnitOfWork, surgery_id: uuid.UUID, action: str, *, by: Principal, if_match: str | None
) -> Move:
    """The locked case, moved into or out of the room only by someone `domain/access.py`
    allows (else 403), fresh against `If-Match` (else 412) and able to move (else 409)."""
    row = await cases.find(uow.session, surgery_id, lock=True)
    booking = await cases.booking_of(uow.session, surgery_id)
    if action in _WHEELS:
        who = await case_access.reader_of(uow.session, by)
        case_access.ensure_may_record_wheels(who, row, booking)
    ensure_fresh(if_match, row.version)
    try:
        target = lifecycle.next_status(row.status, action)
    except lifecycle.TransitionRefused as exc:
        raise Problem(409, str(exc), current_status=row.status) from None
    return Move(action, row, booking, target, by, datetime.now(UTC))


async def _finish(
    uow: UnitOfWork,
    move: Move,
    event: Event,
    *,
    reason_code: str | None = None,
    reason: str | None = None,
    **values: Any,
) -> None:
    """Writes the move: history first (with the booking), then frees a booking the new status
    does not hold, bumps the version, and adds the event and the audit entry."""
    session = uow.session
    await cases.remember(
        session,
        move.surgery_id,
        from_status=move.row.status,
        to_status=move.target,
        booking=move.booking,
        changed_by=move.changed_by,
        reason_code=reason_code,
        reason=reason,
    )
    freed = move.booking if move.target not in lifecycle.HOLDING else None
    if freed is not None:
        await cases.free_bookings(session, [move.surgery_id])
    if reason_code is not None:
        values |= {"reason_code": reason_code, "reason": reason}
    version = await cases.bump(session, move.surgery_id, status=move.target.value, **values)
    await uow.outbox.add(event)
    details: dict[str, Any] = {
        "from_status": move.row.status,
        "to_status": move.target.value,
        "version": version,
    }
    if reason_code is not None:
        details["reason_code"] = reason_code
    if freed is not None:
        details["freed_booking"] = {"room_id": str(freed.room_id), "start": freed.start.isoformat()}
    await audit_log.record(
        uow,
        actor=audit_log.actor(move.by),
        action=f"surgery.{move.action}",
        record_id=move.surgery_id,
        details=details,
    )
