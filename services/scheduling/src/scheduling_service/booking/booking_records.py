"""What a booking or a move leaves besides its rows (`cases.write_bookings`): the case's new
status and version, its history line, its events on `scheduling.surgeries.v1`, its audit entry."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from contracts.envelope import Event
from contracts.events.audit import Actor
from contracts.events.scheduling_surgeries import (
    Booking,
    SurgeryRescheduled,
    SurgeryScheduled,
    SurgeryStatusChanged,
)
from servicekit import audit
from servicekit.auth import Principal
from servicekit.db import UnitOfWork
from servicekit.messaging.outbox import OUTBOX_ROWS_INSERT, rows_parameters
from sqlalchemy import Row

from scheduling_service.audit import audit_log
from scheduling_service.cases import cases
from scheduling_service.domain import lifecycle
from scheduling_service.read_model.resources_view import Unit


async def record(
    uow: UnitOfWork,
    row: Row[Any],
    before: Booking | None,
    after: Booking,
    *,
    actor: Principal | uuid.UUID | str,
    run_id: uuid.UUID | None,
    reason: str | None,
    units: Mapping[uuid.UUID, Unit] | None = None,
) -> Row[Any]:
    """The case's new status and version, its history line, its events and its audit entry,
    in ONE statement (a round trip each cost a booking some 0.5 ms of CPU): the case's update,
    its `RETURNING` the answer, with the rest as CTEs, which PostgreSQL executes whether or not
    the statement reads them. The case's row as it now is.

    With `units` (the read model's units of `after`), the booking's own rows too, as
    `cases.write_bookings` writes them (`cases.BOOKING_INSERTS`): a booking request's three
    round trips fewer. A double booking is then refused by this statement (`IntegrityError`).

    `row` is the case as locked (`FOR UPDATE`) earlier in the transaction, so the version the
    update writes, which the audit entry names, is its version + 1; checked on the answer."""
    surgery_id, by = row.surgery_id, user_id_of(actor)
    action = "book" if lifecycle.Status(row.status) in lifecycle.WAITING else "reschedule"
    target = lifecycle.next_status(row.status, action)
    reason = reason if action == "reschedule" else None
    # A case booked again (it was postponed) no longer carries why it was postponed.
    cleared = {"reason_code": None, "reason": None} if action == "book" else {}
    values = {"status": target.value, **cleared}
    history = cases.history_line(
        surgery_id,
        from_status=row.status,
        to_status=target.value,
        booking=after,
        changed_by=by,
        reason_code=reason,
        run_id=run_id,
    )
    events = _events(row, target, before, after, by=by, run_id=run_id, reason=reason)
    version = row.version + 1
    details: dict[str, Any] = {
        "from_status": row.status,
        "to_status": target.value,
        "version": version,
        "booking": after.model_dump(mode="json"),
        "previous_booking": before.model_dump(mode="json") if before else None,
        "run_id": str(run_id) if run_id else None,
        "reason_code": reason,
    }
    entry, entry_event = audit_log.entry(
        uow, actor=_actor(actor), action=f"booking.{action}", record_id=surgery_id, details=details
    )
    # The events first, the audit entry's last: the outbox's ids follow this order.
    published = [uow.outbox.row(event)[1] for event in events] + [entry_event]
    parameters = {
        **cases.advance_parameters(surgery_id, values),
        **{f"history_{name}": value for name, value in history.items()},
        **{f"entry_{name}": value for name, value in entry.items()},
        **rows_parameters(published),
    }
    if units is not None:
        parameters |= cases.booking_parameters(
            surgery_id, after, units, booked_by=by, run_id=run_id
        )
    statement = _statement(frozenset(values), writes_booking=units is not None)
    written = (await uow.session.execute(statement, parameters)).one()
    if written.version != version:  # the lock above makes this impossible; never a wrong entry
        raise RuntimeError(f"Case {surgery_id} moved from version {row.version} while locked.")
    return written


# `record`'s statements by the columns the update writes (a booking writes one of two sets)
# and whether they write the booking's rows too: each built once, so SQLAlchemy's compiled
# cache answers without rebuilding.
_STATEMENTS: dict[tuple[frozenset[str], bool], Any] = {}


def _statement(names: frozenset[str], *, writes_booking: bool) -> Any:
    if (names, writes_booking) not in _STATEMENTS:
        statement = cases.advancing(names)
        if writes_booking:
            statement = statement.add_cte(*cases.BOOKING_INSERTS)
        _STATEMENTS[names, writes_booking] = (
            statement.add_cte(cases.HISTORY_INSERT.cte("history_line"))
            .add_cte(OUTBOX_ROWS_INSERT.cte("outbox_rows"))
            .add_cte(audit_log.ENTRY_INSERT.cte("audit_entry"))
        )
    return _STATEMENTS[names, writes_booking]


def _events(
    row: Row[Any],
    target: lifecycle.Status,
    before: Booking | None,
    after: Booking,
    *,
    by: uuid.UUID | None,
    run_id: uuid.UUID | None,
    reason: str | None,
) -> list[Event]:
    """`SurgeryScheduled` for a first booking, `SurgeryRescheduled` for a move; a confirmed case
    that moves is scheduled again (it needs confirming), and says so."""
    surgery_id = row.surgery_id
    if before is None:
        return [
            SurgeryScheduled(surgery_id=surgery_id, booking=after, scheduled_by=by, run_id=run_id)
        ]
    events: list[Event] = [
        SurgeryRescheduled(
            surgery_id=surgery_id,
            previous_booking=before,
            new_booking=after,
            rescheduled_by=by,
            run_id=run_id,
            reason_code=reason,
        )
    ]
    if target != row.status:
        events.append(
            SurgeryStatusChanged(
                surgery_id=surgery_id,
                from_status=row.status,
                to_status=target,
                reason_code=reason,
                changed_by=by,
                changed_at=datetime.now(UTC),
            )
        )
    return events


def user_id_of(actor: Principal | uuid.UUID | str) -> uuid.UUID | None:
    raw = actor.user_id if isinstance(actor, Principal) else actor
    try:
        return raw if isinstance(raw, uuid.UUID) else uuid.UUID(raw)
    except ValueError:
        return None


def _actor(actor: Principal | uuid.UUID | str) -> Actor:
    return audit.user(actor.user_id if isinstance(actor, Principal) else actor)
