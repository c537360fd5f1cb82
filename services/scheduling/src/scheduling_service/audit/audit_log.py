"""The audit log: who read or changed which surgery request or booking, and when.

Each entry is a row admins can query and an `AuditRecorded` event on `audit.events.v1`, both
written in the transaction of what they record, so neither exists without the other.
"""

from __future__ import annotations

import uuid
from typing import Any

from contracts.events.audit import Actor
from servicekit import audit
from servicekit.auth import Principal
from servicekit.db import UnitOfWork
from servicekit.messaging.outbox import OUTBOX_INSERT
from sqlalchemy import bindparam, insert

from scheduling_service.db.tables import audit_log


def actor(principal: Principal) -> Actor:
    return audit.user(principal.user_id)


async def record(
    uow: UnitOfWork,
    *,
    actor: Actor,
    action: str,
    record_id: uuid.UUID | str,
    details: dict[str, Any] | None = None,
) -> None:
    """One entry; its record type is the action's first word (`surgery.read` → `surgery`).

    The row and the event's outbox row are one statement, one round trip (a read by id's audit
    entry was two of its four): in a change's transaction, or an audited read's own write
    (committed with other reads' entries, before this returns)."""
    row, outbox_row = entry(uow, actor=actor, action=action, record_id=record_id, details=details)
    await uow.write(_INSERT, {**outbox_row, **row})


def entry(
    uow: UnitOfWork,
    *,
    actor: Actor,
    action: str,
    record_id: uuid.UUID | str,
    details: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """`record`'s entry unwritten: its `audit_log` row by column (`ENTRY_INSERT` takes them
    prefixed `entry_`) and its event's outbox row (`OutboxWriter.row`'s), for a statement that
    writes them with rows of its own (a booking's)."""
    event = audit.audit_event(
        uow,
        actor=actor,
        action=action,
        record_type=action.partition(".")[0],
        record_id=record_id,
        details=details,
    )
    _, outbox_row = uow.outbox.row(event)
    return audit.entry_values(event), outbox_row


# An `audit_log` row alone, its parameters named `entry_<column>` (clear of any other
# statement's it is put in as a CTE).
ENTRY_INSERT = insert(audit_log).values(
    {
        column.name: bindparam(f"entry_{column.name}", type_=column.type)
        for column in audit_log.columns
    }
)

# Built once, so the compiled cache answers every entry: the outbox row in a CTE, which
# PostgreSQL executes whether or not the statement reads it, with the `audit_log` row.
_INSERT = (
    insert(audit_log)
    .values({column.name: bindparam(column.name) for column in audit_log.columns})
    .add_cte(OUTBOX_INSERT.cte("outbox_row"))
)
