"""Storing each `AuditRecorded` of every service, once, in the append-only `audit_entries`.

The kit's idempotent consumer records the event id in the same transaction, so a redelivery is
skipped; the insert also does nothing for an entry stored already (a replayed DLQ message, a
second consumer group over the same database), so no path updates a stored entry.
"""

from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events.audit import AuditRecorded
from servicekit.audit import entry_values
from servicekit.messaging.consumer import HandlerMap
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.db.tables import audit_entries


async def on_audit_recorded(
    session: AsyncSession, event: AuditRecorded, envelope: Envelope
) -> None:
    await session.execute(
        insert(audit_entries)
        .values(
            **entry_values(event),
            event_id=envelope.event_id,
            service=event.service,
            correlation_id=envelope.correlation_id,
        )
        .on_conflict_do_nothing()
    )


def register(handlers: HandlerMap, *, topic: str | None = None) -> HandlerMap:
    """`topic` overrides the event's own topic, for tests."""
    return handlers.on(AuditRecorded, on_audit_recorded, topic=topic)
