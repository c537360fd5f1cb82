"""Storing each `AuditRecorded` of every service, once, in the append-only `audit_entries`.

The kit's idempotent consumer records the event id in the same transaction, so a redelivery is
skipped; the insert also does nothing for an entry stored already (a replayed DLQ message, a
second consumer group over the same database), so no path updates a stored entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contracts.envelope import Envelope
from contracts.events.audit import AuditRecorded
from servicekit.audit import entry_values
from servicekit.messaging.consumer import HandlerMap
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.db.tables import audit_entries

# Built once (its compiled form is cached); each call passes the rows as parameters.
_STORE = insert(audit_entries).on_conflict_do_nothing()


async def on_audit_recorded(
    session: AsyncSession, event: AuditRecorded, envelope: Envelope
) -> None:
    await session.execute(_STORE, _row(event, envelope))


async def on_audit_recorded_many(
    session: AsyncSession, items: Sequence[tuple[AuditRecorded, Envelope]]
) -> None:
    """A run of entries in one statement; one stored already, or twice in the run, is skipped
    as the handler of one skips it."""
    await session.execute(_STORE, [_row(event, envelope) for event, envelope in items])


def _row(event: AuditRecorded, envelope: Envelope) -> dict[str, Any]:
    return {
        **entry_values(event),
        "event_id": envelope.event_id,
        "service": event.service,
        "correlation_id": envelope.correlation_id,
    }


def register(handlers: HandlerMap, *, topic: str | None = None) -> HandlerMap:
    """`topic` overrides the event's own topic, for tests."""
    return handlers.on(AuditRecorded, on_audit_recorded, topic=topic, many=on_audit_recorded_many)
