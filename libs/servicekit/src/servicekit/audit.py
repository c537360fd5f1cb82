"""Recording who did what to which record: an `AuditRecorded` event in the change's transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from contracts.events.audit import Actor, AuditRecorded
from sqlalchemy import ColumnElement, Table, or_

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
    event = audit_event(
        uow,
        actor=actor,
        action=action,
        record_type=record_type,
        record_id=record_id,
        details=details,
    )
    await uow.outbox.add(event)
    return event


def audit_event(
    uow: UnitOfWork,
    *,
    actor: Actor,
    action: str,
    record_type: str,
    record_id: uuid.UUID | str,
    details: dict[str, Any] | None = None,
) -> AuditRecorded:
    """The audit event of an action in `uow`, not yet written: for a service that writes it to
    the outbox in one statement with its own audit row (`OutboxWriter.row`)."""
    return AuditRecorded(
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


def entry_values(event: AuditRecorded) -> dict[str, Any]:
    """The columns every audit table stores of `event` (scheduling's log, auth's durable store)."""
    return {
        "audit_id": event.audit_id,
        "at": event.at,
        "actor_kind": event.actor.kind,
        "actor_id": event.actor.id,
        "action": event.action,
        "record_type": event.record_type,
        "record_id": event.record_id,
        "details": event.details,
        "request_id": event.request_id,
    }


def entry_conditions(
    table: Table,
    *,
    actor_id: str | None = None,
    action: str | None = None,
    record_type: str | None = None,
    record_id: str | None = None,
    service: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[ColumnElement[bool]]:
    """The conditions of an admin's audit query on an audit table, each on a column as stored
    so that its index applies; `since` is inclusive, `until` exclusive."""
    t = table.c
    conditions: list[ColumnElement[bool]] = [
        column == value
        for column, value in (
            (t.actor_id, actor_id),
            (t.action, action),
            (t.record_type, record_type),
        )
        if value is not None
    ]
    if service is not None:
        conditions.append(t.service == service)
    if record_id is not None:
        # A list or day view records one entry naming every case it showed: who saw a case
        # includes who saw it in a list. `details @> {"surgery_ids": [id]}` is containment on
        # the column itself, which a GIN (jsonb_path_ops) index on `details` answers.
        conditions.append(
            or_(t.record_id == record_id, t.details.contains({"surgery_ids": [record_id]}))
        )
    if since is not None:
        conditions.append(t.at >= since)
    if until is not None:
        conditions.append(t.at < until)
    return conditions
