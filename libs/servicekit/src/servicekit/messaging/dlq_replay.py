"""Reading a DLQ and sending its messages back to their topic, each once, with its own ids.

What was replayed is remembered as the committed offsets of the consumer group
`servicekit-dlq-replay.<dlq topic>`: everything before them is done, so a second replay sends
nothing again. The messages keep their envelopes (event ids) and keys, so even a message sent
twice is applied once: the idempotent consumer drops the duplicate.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from contracts.topics import DLQ_SUFFIX

from servicekit.kafka import KafkaConnection, create_consumer, create_producer

CLIENT_ID = "servicekit-dlq"
# Not ours to send again: they describe the parking, not the event.
_PARKING_HEADER_PREFIX = "dlq-"


def replay_group(dlq_topic: str) -> str:
    return f"servicekit-dlq-replay.{dlq_topic}"


@dataclass(frozen=True, slots=True)
class ParkedMessage:
    partition: int
    offset: int
    event_id: str | None
    event_type: str | None
    reason: str
    parked_at: datetime
    replayed: bool

    def line(self) -> str:
        return "\t".join(
            (
                f"{self.partition}@{self.offset}",
                self.event_id or "-",
                self.event_type or "-",
                self.parked_at.isoformat(timespec="seconds"),
                "replayed" if self.replayed else "parked",
                self.reason,
            )
        )


@dataclass(frozen=True, slots=True)
class ReplayOutcome:
    topic: str
    replayed: int
    skipped: int


class DlqReader:
    """The DLQ as it stands when opened: messages arriving later wait for the next run."""

    def __init__(self, kafka: KafkaConnection, dlq_topic: str) -> None:
        if not dlq_topic.endswith(DLQ_SUFFIX):
            raise ValueError(f"{dlq_topic!r} is not a DLQ topic (names end in {DLQ_SUFFIX!r})")
        self.topic = dlq_topic
        self._kafka = kafka

    async def __aenter__(self) -> DlqReader:
        partitions = await _partitions(self._kafka, self.topic)
        self._consumer = create_consumer(
            self._kafka, group_id=replay_group(self.topic), client_id=CLIENT_ID
        )
        await self._consumer.start()
        self._consumer.assign(partitions)
        self._end = await self._consumer.end_offsets(partitions)
        start = await self._consumer.beginning_offsets(partitions)
        self._done = {tp: max(await self._consumer.committed(tp) or 0, start[tp]) for tp in start}
        self._start = start
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._consumer.stop()

    async def parked(self) -> list[ParkedMessage]:
        """Every message in the DLQ, each marked replayed or still parked."""
        return [
            _describe(record, replayed=record.offset < self._done[_tp(record)])
            async for record in self._records(self._start)
        ]

    async def replay(self, event_ids: set[str] | None = None) -> ReplayOutcome:
        """Sends the messages not yet replayed (only `event_ids`, when given) to their topic;
        the replay marker moves past every message sent and every one before it done."""
        producer = create_producer(self._kafka, client_id=CLIENT_ID)
        await producer.start()
        replayed = skipped = 0
        marker_held = set[TopicPartition]()
        topic = self.topic.removesuffix(DLQ_SUFFIX)
        try:
            async for record in self._records(self._done):
                tp = _tp(record)
                if event_ids is not None and _event_id(record) not in event_ids:
                    skipped += 1
                    marker_held.add(tp)  # a later run without --id still owes this one
                    continue
                topic = _header(record, "dlq-original-topic") or topic
                await producer.send_and_wait(
                    topic, value=record.value, key=record.key, headers=_replay_headers(record)
                )
                replayed += 1
                if tp not in marker_held:
                    await self._consumer.commit({tp: record.offset + 1})
        finally:
            await producer.stop()
        return ReplayOutcome(topic=topic, replayed=replayed, skipped=skipped)

    async def _records(self, start: dict[TopicPartition, int]) -> AsyncIterator[ConsumerRecord]:
        for tp, offset in start.items():
            if offset >= self._end[tp]:
                continue
            self._consumer.seek(tp, offset)
            empty_polls = 0
            # Offsets may have gaps (transaction markers): a few empty polls end the partition.
            while await self._consumer.position(tp) < self._end[tp] and empty_polls < 3:
                records = (await self._consumer.getmany(tp, timeout_ms=1000)).get(tp, [])
                empty_polls = 0 if records else empty_polls + 1
                for record in records:
                    if record.offset < self._end[tp]:
                        yield record


async def _partitions(kafka: KafkaConnection, topic: str) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(**kafka.client_options(), client_id=CLIENT_ID)
    await admin.start()
    try:
        (description,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    numbers = sorted(p["partition"] for p in description["partitions"])
    if description["error_code"] or not numbers:
        raise LookupError(f"the broker knows no topic {topic!r}")
    return [TopicPartition(topic, number) for number in numbers]


def _tp(record: ConsumerRecord) -> TopicPartition:
    return TopicPartition(record.topic, record.partition)


def _describe(record: ConsumerRecord, *, replayed: bool) -> ParkedMessage:
    error_type = _header(record, "dlq-error-type") or "unknown"
    message = _header(record, "dlq-error-message") or ""
    return ParkedMessage(
        partition=record.partition,
        offset=record.offset,
        event_id=_event_id(record),
        event_type=_header(record, "event_type"),
        reason=f"{error_type}: {message}".replace("\n", " ").replace("\t", " "),
        parked_at=datetime.fromtimestamp(record.timestamp / 1000, tz=UTC),
        replayed=replayed,
    )


def _event_id(record: ConsumerRecord) -> str | None:
    declared = _header(record, "event_id")
    if declared:
        return declared
    try:
        document = json.loads(record.value or b"")
        return str(uuid.UUID(str(document["event_id"])))
    except (ValueError, TypeError, KeyError, RecursionError):
        return None


def _replay_headers(record: ConsumerRecord) -> list[tuple[str, bytes]]:
    kept = [(k, v) for k, v in record.headers or () if not k.startswith(_PARKING_HEADER_PREFIX)]
    origin = f"{record.topic}/{record.partition}@{record.offset}"
    return [*kept, ("replayed-from", origin.encode())]


def _header(record: ConsumerRecord, name: str) -> str | None:
    for key, value in _headers(record.headers):
        if key == name and value is not None:
            return value.decode("utf-8", "replace")
    return None


def _headers(headers: Iterable[tuple[str, bytes]] | None) -> Iterable[tuple[str, bytes]]:
    return headers or ()
