"""Kafka clients configured the one way our delivery guarantee needs."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from contracts.topics import LARGEST_MESSAGE_BYTES

# Room for a record batch's own bytes around the largest message a topic takes.
_BATCH_OVERHEAD_BYTES = 64 * 1024


def create_producer(bootstrap_servers: str, *, client_id: str) -> AIOKafkaProducer:
    # Idempotence with acks=all: a retried send is never written twice and order per
    # partition holds, so per-aggregate order survives broker hiccups.
    # gzip: JSON envelopes shrink several times over, so a month's optimization problem stays
    # far under its topic's limit on the wire. aiokafka checks a message's size before
    # compression, so `max_request_size` admits the largest any topic takes; the outbox keeps
    # each topic's events within that topic's own limit.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        request_timeout_ms=15_000,
        retry_backoff_ms=200,
        compression_type="gzip",
        max_request_size=LARGEST_MESSAGE_BYTES + _BATCH_OVERHEAD_BYTES,
    )


def create_consumer(
    bootstrap_servers: str, *topics: str, group_id: str, client_id: str
) -> AIOKafkaConsumer:
    # Offsets are committed by hand only after the database transaction of the effect.
    # A partition's fetch holds at least one whole message of the largest kind.
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        client_id=client_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=200,
        retry_backoff_ms=200,
        max_partition_fetch_bytes=LARGEST_MESSAGE_BYTES + _BATCH_OVERHEAD_BYTES,
        fetch_max_bytes=max(52_428_800, 2 * (LARGEST_MESSAGE_BYTES + _BATCH_OVERHEAD_BYTES)),
    )
