"""Writing events to the outbox, inside the transaction of the change that causes them."""

from __future__ import annotations

import uuid

from contracts.envelope import Envelope, Event
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.logs import causation_id_var, correlation_id_var
from servicekit.messaging.schema import outbox
from servicekit.problems import Problem

# Kafka takes messages up to about 1 MB (broker `message.max.bytes`, producer
# `max_request_size`). A larger one would stop the relay at its place in the outbox, and every
# later event with it, so it is refused here, with the change that made it.
MAX_EVENT_BYTES = 900_000


class EventTooLarge(Problem):
    def __init__(self, event_type: str, size: int) -> None:
        super().__init__(
            422,
            f"The change would publish a {event_type} event of {size:,} bytes, more than the "
            f"{MAX_EVENT_BYTES:,} an event may carry; make the record smaller (fewer dated "
            "windows, shorter notes) and try again.",
            title="Record too large",
        )


class OutboxWriter:
    """Adds events to the current transaction; the relay publishes them after commit."""

    def __init__(self, session: AsyncSession, *, producer: str) -> None:
        self._session = session
        self._producer = producer

    async def add(
        self, event: Event, *, correlation_id: uuid.UUID | None = None, topic: str | None = None
    ) -> Envelope:
        """`topic` overrides the event's own topic, for replays onto a new topic and for tests."""
        envelope = Envelope.wrap(
            event,
            producer=self._producer,
            correlation_id=correlation_id or _context_uuid(correlation_id_var.get()),
            causation_id=_context_uuid(causation_id_var.get()),
        )
        size = len(envelope.model_dump_json())
        if size > MAX_EVENT_BYTES:
            raise EventTooLarge(envelope.event_type, size)
        await self._session.execute(
            insert(outbox).values(
                event_id=envelope.event_id,
                topic=topic or event.topic.name,
                message_key=event.aggregate_id(),
                event_type=envelope.event_type,
                envelope=envelope.model_dump(mode="json"),
            )
        )
        return envelope


def _context_uuid(value: str | None) -> uuid.UUID | None:
    # The correlation id of the request or event being handled, when it is one of ours.
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
