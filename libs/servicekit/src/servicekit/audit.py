"""Recording who did what to which record: an `AuditRecorded` event in the change's transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from contracts.events.audit import Actor, AuditRecorded

from servicekit.db import UnitOfWork
from servicekit.logs import request_id_var


def user(user_id: uuid.UUID | str) -> Actor:
    return Actor(kind="user", id=str(user_id))


def service_actor(name: str) -> Actor:
    return Actor(kind="service", id=name)


async def record(
    uow: UnitOfWork,
    *,
    actor: Actor,
    action: str,
    record_type: str,
    record_id: uuid.UUID | str,
    details: dict[str, Any] | None = None,
) -> AuditRecorded:
    """Adds the audit event to the unit of work's outbox; it commits with the change it records."""
    event = AuditRecorded(
        audit_id=uuid.uuid4(),
        actor=actor,
        action=action,
        record_type=record_type,
        record_id=str(record_id),
        at=datetime.now(UTC),
        service=uow.producer,
        details=details or {},
        request_id=request_id_var.get(),
    )
    await uow.outbox.add(event)
    return event
