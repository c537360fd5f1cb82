"""What reached Kafka during the run: the topics' end offsets marked at the start, and every
message written after them read back at the end (no consumer group: nothing is committed)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from contracts.topics import ALL_TOPICS, RESOURCES_OPERATING_ROOMS, SCHEDULING_SURGERIES
from servicekit.kafka import KafkaConnection

WATCHED = (RESOURCES_OPERATING_ROOMS.name, SCHEDULING_SURGERIES.name)
DLQS = tuple(topic.dlq for topic in ALL_TOPICS)


@dataclass(frozen=True)
class Marks:
    offsets: dict[TopicPartition, int]


async def mark(kafka: KafkaConnection) -> Marks:
    """The end offset of every partition of the watched topics and of every DLQ, now."""
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        described = await admin.describe_topics([*WATCHED, *DLQS])
    finally:
        await admin.close()
    partitions = [
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        for partition in topic["partitions"]
    ]
    consumer = AIOKafkaConsumer(**kafka.client_options(), enable_auto_commit=False)
    await consumer.start()
    try:
        return Marks(await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()


async def since(kafka: KafkaConnection, marks: Marks) -> dict[str, list[dict[str, Any]]]:
    """Every message written after the marks, by topic: the envelope as JSON (a DLQ message's
    value may not be JSON at all: then `{"raw": ...}`)."""
    consumer = AIOKafkaConsumer(**kafka.client_options(), enable_auto_commit=False)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(list(marks.offsets))
        consumer.assign([tp for tp in marks.offsets if ends[tp] > marks.offsets[tp]])
        for tp in consumer.assignment():
            consumer.seek(tp, marks.offsets[tp])
        found: dict[str, list[dict[str, Any]]] = {}
        deadline = time.monotonic() + 120
        while await _behind(consumer, ends):
            if time.monotonic() > deadline:
                raise TimeoutError("reading the run's messages back took over 2 minutes")
            batches = await consumer.getmany(timeout_ms=2000, max_records=2000)
            for tp, records in batches.items():
                for record in records:
                    if record.offset < ends[tp]:
                        found.setdefault(tp.topic, []).append(_envelope(record.value))
        return found
    finally:
        await consumer.stop()


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for tp in consumer.assignment():
        if await consumer.position(tp) < ends[tp]:
            return True
    return False


def _envelope(value: bytes | None) -> dict[str, Any]:
    try:
        return json.loads(value or b"null") or {}
    except ValueError:
        return {"raw": (value or b"")[:200].decode(errors="replace")}
