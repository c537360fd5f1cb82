"""Writing events to the outbox, inside the transaction of the change that causes them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from contracts.envelope import Envelope, Event
from contracts.topics import DEFAULT_MAX_MESSAGE_BYTES, Topic, topic_named
from sqlalchemy import Insert, Text, bindparam, cast, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.ids import uuid_or_none
from servicekit.logs import causation_id_var, correlation_id_var
from servicekit.messaging.schema import outbox
from servicekit.problems import Problem
from servicekit.tracing import current_traceparent

# Kafka takes messages up to about 1 MB by default (broker `message.max.bytes`, producer
# `max_request_size`). A larger one would stop the relay at its place in the outbox, and every
# later event with it, so it is refused here, with the change that made it.
MAX_EVENT_BYTES = 900_000
# What every topic keeps free for the key, the headers and the record batch around the JSON.
_HEADROOM_BYTES = DEFAULT_MAX_MESSAGE_BYTES - MAX_EVENT_BYTES


def max_event_bytes(topic: Topic) -> int:
    """The largest envelope `topic` takes: 900 KB, or more where the topic allows more."""
    return topic.max_message_bytes - _HEADROOM_BYTES


class EventTooLarge(Problem):
    def __init__(self, event_type: str, size: int, limit: int = MAX_EVENT_BYTES) -> None:
        super().__init__(
            422,
            f"The change would publish a {event_type} event of {size:,} bytes, more than the "
            f"{limit:,} an event may carry; make the record smaller (fewer dated "
            "windows, shorter notes) and try again.",
            title="Record too large",
        )


# One statement for every event, built once: the compiled cache answers each execution. The
# envelope is bound as the JSON text already measured (a text parameter cast to `jsonb` in SQL),
# so it is serialized once, and never again by the `JSONB` type (which would store the text as
# a JSON string). A statement that writes its own rows with the event's (scheduling's audit
# log) executes this one as a CTE, with `OutboxWriter.row`'s parameters.
OUTBOX_INSERT: Insert = insert(outbox).values(
    event_id=bindparam("event_id"),
    topic=bindparam("topic"),
    message_key=bindparam("message_key"),
    event_type=bindparam("event_type"),
    envelope=cast(bindparam("envelope", type_=Text), JSONB),
    traceparent=bindparam("traceparent"),
)


_ROW_COLUMNS = ("event_id", "topic", "message_key", "event_type", "envelope", "traceparent")


def _outbox_rows_insert() -> Insert:
    rows = (
        func.unnest(
            *(
                bindparam(
                    f"outbox_{name}s",
                    type_=ARRAY(UUID(as_uuid=True)) if name == "event_id" else ARRAY(Text),
                )
                for name in _ROW_COLUMNS
            )
        )
        .table_valued(*_ROW_COLUMNS, with_ordinality="n")
        .render_derived()
    )
    values = [cast(rows.c.envelope, JSONB) if n == "envelope" else rows.c[n] for n in _ROW_COLUMNS]
    return insert(outbox).from_select(
        list(_ROW_COLUMNS), select(*values).select_from(rows).order_by(rows.c.n)
    )


# `OUTBOX_INSERT` of any number of events in one statement, their ids in their order: each
# column's values an array (`rows_parameters`), so one compiled statement serves every count
# (a multi-row VALUES is not cached). For a statement that writes a change's events with rows
# of its own, as a CTE (a booking's).
OUTBOX_ROWS_INSERT: Insert = _outbox_rows_insert()


def rows_parameters(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The parameters of `OUTBOX_ROWS_INSERT` for `OutboxWriter.row`'s `rows`, in order."""
    return {f"outbox_{name}s": [row[name] for row in rows] for name in _ROW_COLUMNS}


class OutboxWriter:
    """Adds events to the current transaction; the relay publishes them after commit."""

    def __init__(self, session: AsyncSession, *, producer: str) -> None:
        self._session = session
        self._producer = producer

    async def add(
        self, event: Event, *, correlation_id: uuid.UUID | None = None, topic: str | None = None
    ) -> Envelope:
        """`topic` overrides the event's own topic, for replays onto a new topic and for tests."""
        envelope, row = self.row(event, correlation_id=correlation_id, topic=topic)
        await self._session.execute(OUTBOX_INSERT, row)
        return envelope

    def row(
        self, event: Event, *, correlation_id: uuid.UUID | None = None, topic: str | None = None
    ) -> tuple[Envelope, dict[str, Any]]:
        """The envelope of `event` and the parameters of `OUTBOX_INSERT` that add it, for a
        statement that writes it with rows of its own; refused (`EventTooLarge`) as `add`."""
        envelope = Envelope.wrap(
            event,
            producer=self._producer,
            correlation_id=correlation_id or uuid_or_none(correlation_id_var.get()),
            causation_id=uuid_or_none(causation_id_var.get()),
        )
        # A topic outside the contracts (a test's own) is held to the event's own topic's limit.
        limit = max_event_bytes((topic and topic_named(topic)) or event.topic)
        document = relayed_json(envelope.model_dump(mode="json"))
        size = len(document.encode())
        if size > limit:
            raise EventTooLarge(envelope.event_type, size, limit)
        return envelope, {
            "event_id": envelope.event_id,
            "topic": topic or event.topic.name,
            "message_key": event.aggregate_id(),
            "event_type": envelope.event_type,
            "envelope": document,
            "traceparent": current_traceparent(),
        }


def relayed_json(document: dict[str, Any]) -> str:
    """The envelope as the relay sends it, whose bytes must fit the topic: PostgreSQL prints
    `jsonb` with a space after every `,` and `:`, a fifth or so more than compact JSON, as
    `json.dumps` does by default. The same text is what the outbox stores (as `jsonb`)."""
    return json.dumps(document, ensure_ascii=False)
