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
from sqlalchemy import insert

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
    """One entry; its record type is the action's first word (`surgery.read` → `surgery`)."""
    event = await audit.record(
        uow,
        actor=actor,
        action=action,
        record_type=action.partition(".")[0],
        record_id=record_id,
        details=details,
    )
    await uow.session.execute(_INSERT, audit.entry_values(event))


_INSERT = insert(audit_log)  # built once: the compiled cache answers every entry
