"""A test service's world: an effects table, written by handlers, with no uniqueness of its own.

The table deliberately lacks a unique event id, so only the idempotent consumer stands between
a redelivered event and a second effect.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from contracts.envelope import Envelope
from contracts.events.auth_users import UserRegistered
from servicekit.db import UnitOfWork, asyncpg_dsn
from servicekit.kafka import KafkaConnection, create_consumer, create_producer
from servicekit.messaging.consumer import ConsumerConfig, HandlerMap, IdempotentConsumer
from servicekit.messaging.relay import OutboxRelay, RelayConfig
from servicekit.messaging.schema import (
    NOTIFY_FUNCTION_DDL,
    NOTIFY_TRIGGER_DDL,
    messaging_metadata,
)
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    MetaData,
    Table,
    Text,
    func,
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

effects_metadata = MetaData()
effects = Table(
    "effects",
    effects_metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("user_id", UUID(as_uuid=True), nullable=False),
    Column(
        "committed_at",
        DateTime(timezone=True),
        nullable=False,
        server_default=func.clock_timestamp(),
    ),
    Column("note", Text),
)


async def create_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(messaging_metadata.create_all)
        await conn.run_sync(effects_metadata.create_all)
        await conn.execute(text(NOTIFY_FUNCTION_DDL))
        await conn.execute(text(NOTIFY_TRIGGER_DDL))


def user_registered(n: int = 0) -> UserRegistered:
    return UserRegistered(
        user_id=uuid.uuid4(),
        email=f"user{n}-{uuid.uuid4().hex[:6]}@example.org",
        display_name=f"User {n}",
        roles=["viewer"],
        active=True,
    )


async def commit_events(engine: AsyncEngine, topic: str, events: list[UserRegistered]) -> None:
    """One transaction: the events enter the outbox together."""
    async with UnitOfWork(async_sessionmaker(engine), producer="tests") as uow:
        for event in events:
            await uow.outbox.add(event, topic=topic)
        await uow.commit()


async def record_effect(session: AsyncSession, event: UserRegistered, envelope: Envelope) -> None:
    await session.execute(insert(effects).values(event_id=envelope.event_id, user_id=event.user_id))


async def record_effects(
    session: AsyncSession, items: Sequence[tuple[UserRegistered, Envelope]]
) -> None:
    """`record_effect` for a run of events, in one statement (a handler of many)."""
    await session.execute(
        insert(effects),
        [{"event_id": envelope.event_id, "user_id": event.user_id} for event, envelope in items],
    )


def make_relay(
    url: str, schema: str, kafka: KafkaConnection, relay_class: type[OutboxRelay] = OutboxRelay
) -> OutboxRelay:
    return relay_class(
        RelayConfig(
            dsn=asyncpg_dsn(url),
            kafka=kafka,
            client_id="tests-relay",
            poll_seconds=0.5,
            search_path=schema,
        ),
        lambda: create_producer(kafka, client_id="tests-relay"),
    )


def make_consumer(
    engine: AsyncEngine,
    topic: str,
    group: str,
    kafka: KafkaConnection,
    consumer_class: type[IdempotentConsumer] = IdempotentConsumer,
    handler=record_effect,
    max_attempts: int = 3,
    transaction_per_batch: bool = True,
    many=None,
    gather_seconds: float = 0.0,
) -> IdempotentConsumer:
    return consumer_class(
        ConsumerConfig(
            group_id=group,
            kafka=kafka,
            client_id="tests-consumer",
            max_attempts=max_attempts,
            backoff_seconds=0.05,
            transaction_per_batch=transaction_per_batch,
            gather_seconds=gather_seconds,
        ),
        HandlerMap().on(UserRegistered, handler, topic=topic, many=many),
        async_sessionmaker(engine, expire_on_commit=False),
        lambda: create_consumer(kafka, topic, group_id=group, client_id="tests-consumer"),
        lambda: create_producer(kafka, client_id="tests-consumer"),
    )


async def effect_counts(engine: AsyncEngine) -> dict[uuid.UUID, int]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT event_id, count(*) FROM effects GROUP BY event_id"))
        return {row[0]: row[1] for row in rows}


async def effect_transactions(engine: AsyncEngine) -> list[tuple[uuid.UUID, str]]:
    """Each effect's user, in the order written, and the transaction that wrote it (`xmin`)."""
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT user_id, xmin::text FROM effects ORDER BY id"))
        return [(row[0], row[1]) for row in rows]


async def outbox_ids(engine: AsyncEngine, *, published: bool | None = None) -> list[uuid.UUID]:
    condition = {None: "true", True: "published_at IS NOT NULL", False: "published_at IS NULL"}[
        published
    ]
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(f"SELECT event_id FROM outbox WHERE {condition} ORDER BY id")
        )
        return [row[0] for row in rows]


async def wait_until(
    predicate, *, timeout: float = 60.0, interval: float = 0.1, what: str = "condition"
):
    """Polls an async predicate; fails the test with `what` when the deadline passes."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await predicate()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(interval)


def now() -> datetime:
    return datetime.now(UTC)
