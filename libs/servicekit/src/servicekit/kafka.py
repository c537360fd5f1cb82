"""Kafka clients configured the one way our delivery guarantee needs."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer


def create_producer(bootstrap_servers: str, *, client_id: str) -> AIOKafkaProducer:
    # Idempotence with acks=all: a retried send is never written twice and order per
    # partition holds, so per-aggregate order survives broker hiccups.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        request_timeout_ms=15_000,
        retry_backoff_ms=200,
    )


def create_consumer(
    bootstrap_servers: str, *topics: str, group_id: str, client_id: str
) -> AIOKafkaConsumer:
    # Offsets are committed by hand only after the database transaction of the effect.
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
    )
