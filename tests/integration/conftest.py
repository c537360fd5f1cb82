"""Fixtures for tests against the real PostgreSQL and Kafka: a fresh schema and topic per test.

Nothing here skips: in CI a missing database or broker must fail the run.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from contracts.envelope import Envelope
from servicekit.db import create_engine
from servicekit.kafka import create_producer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import KAFKA, KIT_DATABASE_URL
from tests.integration.servicekit.effects import create_schema

pytestmark = pytest.mark.integration


@pytest.fixture
async def schema() -> AsyncIterator[str]:
    """A fresh PostgreSQL schema with the outbox, processed-events and effects tables."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(KIT_DATABASE_URL, pool_size=1)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{name}"'))
    await admin.dispose()
    engine = create_engine(KIT_DATABASE_URL, pool_size=2, search_path=name)
    await create_schema(engine)
    await engine.dispose()
    yield name
    admin = create_engine(KIT_DATABASE_URL, pool_size=1)
    async with admin.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    await admin.dispose()


@pytest.fixture
async def engine(schema: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(KIT_DATABASE_URL, pool_size=5, search_path=schema)
    yield engine
    await engine.dispose()


# Every topic a test of this run made (see `remember_topics`), deleted when the run ends: the
# broker is left as the run found it, whichever stack the tests point at.
_topics_made: list[str] = []


def remember_topics(*names: str) -> None:
    """Marks topics a test made itself for deletion when the run ends."""
    _topics_made.extend(names)


@pytest.fixture(scope="session", autouse=True)
async def _topics_deleted_when_the_run_ends() -> AsyncIterator[None]:
    yield
    if not _topics_made:
        return
    admin = AIOKafkaAdminClient(**KAFKA.client_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        gone = sorted(set(_topics_made) & existing)
        for start in range(0, len(gone), 100):
            await admin.delete_topics(gone[start : start + 100])
    finally:
        await admin.close()


@pytest.fixture
async def topic() -> str:
    """A fresh topic (one partition, so order is total) and its DLQ."""
    return await create_topic()


async def create_topic(
    purpose: str = "", *, partitions: int = 1, configs: dict[str, str] | None = None
) -> str:
    """A topic of a test's own (one partition unless asked, so order is total; `configs`, its
    settings) and its DLQ."""
    name = f"test.{purpose + '.' if purpose else ''}{uuid.uuid4().hex[:12]}.v1"
    admin = AIOKafkaAdminClient(**KAFKA.client_options())
    await admin.start()
    try:
        made = NewTopic(name, partitions, 1, topic_configs=configs or {})
        await admin.create_topics([made, NewTopic(name + ".dlq", 1, 1)])
    finally:
        await admin.close()
    remember_topics(name, name + ".dlq")
    return name


async def publish_envelopes(
    topic: str,
    envelopes: Iterable[Envelope],
    *,
    key: str,
    client_id: str = "tests",
    compression: str | None = None,
) -> None:
    """Sends `envelopes` to `topic` as a service's relay would: JSON value, keyed by the data's
    `key` field, with the `event_type` and `event_id` headers consumers read. `compression`: as
    another system's producer would, with that codec instead of ours."""
    producer = (
        create_producer(KAFKA, client_id=client_id)
        if compression is None
        else AIOKafkaProducer(
            **KAFKA.client_options(), client_id=client_id, compression_type=compression
        )
    )
    await producer.start()
    try:
        for envelope in envelopes:
            await producer.send_and_wait(
                topic,
                value=envelope.model_dump_json().encode(),
                key=str(envelope.data[key]).encode(),
                headers=[
                    ("event_type", envelope.event_type.encode()),
                    ("event_id", str(envelope.event_id).encode()),
                ],
            )
    finally:
        await producer.stop()
