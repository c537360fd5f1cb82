"""The durable audit store against the real PostgreSQL and Kafka: append-only, purged by age."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from auth_service.audit import store
from auth_service.audit.retention import purge_once
from auth_service.db.tables import audit_entries
from contracts.envelope import Envelope
from contracts.events.audit import Actor, AuditRecorded
from servicekit.audit import entry_values
from servicekit.db import UnitOfWork
from servicekit.kafka import create_consumer, create_producer
from servicekit.messaging.consumer import ConsumerConfig, HandlerMap, IdempotentConsumer
from servicekit.messaging.schema import processed_events
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from tests.conftest import KAFKA
from tests.integration.servicekit.effects import wait_until

pytestmark = pytest.mark.integration

RETENTION_DAYS = 2192


@pytest.fixture
async def store_engine(engine: AsyncEngine) -> AsyncEngine:
    """The test's own schema with `audit_entries`, its trigger and its purge function."""
    async with engine.begin() as conn:
        await conn.run_sync(audit_entries.create)
    return engine


def entry(at: datetime, audit_id: uuid.UUID | None = None) -> AuditRecorded:
    return AuditRecorded(
        audit_id=audit_id or uuid.uuid4(),
        actor=Actor(kind="user", id=str(uuid.uuid4())),
        action="session.login",
        record_type="user",
        record_id=str(uuid.uuid4()),
        at=at,
        service="auth",
        details={"session_id": str(uuid.uuid4())},
    )


async def add(engine: AsyncEngine, *ats: datetime) -> list[uuid.UUID]:
    events = [entry(at) for at in ats]
    async with engine.begin() as conn:
        for event in events:
            await conn.execute(
                insert(audit_entries).values(
                    **entry_values(event),
                    event_id=uuid.uuid4(),
                    service=event.service,
                    correlation_id=uuid.uuid4(),
                )
            )
    return [event.audit_id for event in events]


async def stored_ids(engine: AsyncEngine) -> set[uuid.UUID]:
    async with engine.connect() as conn:
        return set((await conn.scalars(select(audit_entries.c.audit_id))).all())


def units_of_work(engine: AsyncEngine):
    return lambda: UnitOfWork(async_sessionmaker(engine), producer="auth")


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


async def test_the_database_refuses_to_update_a_stored_entry(store_engine):
    [audit_id] = await add(store_engine, days_ago(1))
    with pytest.raises(DBAPIError, match="append-only: UPDATE refused"):
        async with store_engine.begin() as conn:
            await conn.execute(
                update(audit_entries)
                .where(audit_entries.c.audit_id == audit_id)
                .values(action="session.logout")
            )


async def test_the_database_refuses_to_delete_an_entry_even_one_past_retention(store_engine):
    await add(store_engine, days_ago(1), days_ago(RETENTION_DAYS + 30))
    with pytest.raises(DBAPIError, match="append-only: DELETE refused"):
        async with store_engine.begin() as conn:
            await conn.execute(delete(audit_entries))
    with pytest.raises(DBAPIError, match="append-only: TRUNCATE refused"):
        async with store_engine.begin() as conn:
            await conn.execute(text("TRUNCATE audit_entries"))
    assert len(await stored_ids(store_engine)) == 2


async def test_a_delete_naming_the_purge_setting_still_cannot_take_an_entry_within_retention(
    store_engine,
):
    [recent] = await add(store_engine, days_ago(RETENTION_DAYS - 1))
    with pytest.raises(DBAPIError, match="append-only: DELETE refused"):
        async with store_engine.begin() as conn:
            cutoff = days_ago(RETENTION_DAYS).isoformat()
            await conn.execute(
                text("SELECT set_config('audit_entries.purge_before', :c, true)"), {"c": cutoff}
            )
            await conn.execute(delete(audit_entries).where(audit_entries.c.audit_id == recent))
    assert await stored_ids(store_engine) == {recent}


async def test_the_purge_deletes_only_entries_older_than_the_retention_in_batches(store_engine):
    old = await add(store_engine, *(days_ago(RETENTION_DAYS + d) for d in (0.01, 1, 400, 3000, 9)))
    kept = await add(store_engine, days_ago(RETENTION_DAYS - 0.01), days_ago(30), days_ago(0))
    purged = await purge_once(units_of_work(store_engine), RETENTION_DAYS, batch=2)
    assert purged == len(old)
    assert await stored_ids(store_engine) == set(kept)
    assert await purge_once(units_of_work(store_engine), RETENTION_DAYS, batch=2) == 0


async def test_a_purge_cut_off_in_the_future_is_refused(store_engine):
    await add(store_engine, days_ago(1))
    with pytest.raises(DBAPIError, match="lies in the future"):
        async with store_engine.begin() as conn:
            await conn.execute(
                select(func.purge_audit_entries(datetime.now(UTC) + timedelta(days=1), 100))
            )
    assert len(await stored_ids(store_engine)) == 1


async def test_each_audit_event_is_stored_once_however_often_it_arrives(
    store_engine, topic, monkeypatch
):
    runs: list[int] = []
    store_many = store.on_audit_recorded_many

    async def counting(session, items):
        runs.append(len(items))
        await store_many(session, items)

    monkeypatch.setattr(store, "on_audit_recorded_many", counting)
    first, other = entry(days_ago(0)), entry(days_ago(0))
    again = Envelope.wrap(first, producer="auth")
    # A replayed copy under a new event id (a DLQ replay that lost it) must not update the row.
    copy = Envelope.wrap(first, producer="auth")
    messages = [again, again, copy, Envelope.wrap(other, producer="scheduling")]
    producer = create_producer(KAFKA, client_id="tests-audit")
    await producer.start()
    try:
        for envelope in messages:
            await producer.send_and_wait(
                topic,
                json.dumps(envelope.model_dump(mode="json")).encode(),
                key=envelope.data["record_id"].encode(),
                headers=[
                    ("event_type", b"AuditRecorded"),
                    ("event_id", str(envelope.event_id).encode()),
                ],
            )
    finally:
        await producer.stop()
    consumer = audit_consumer(store_engine, topic)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        await wait_until(lambda: processed_count(store_engine, 3), what="three event ids")
    finally:
        stop.set()
        await task
    assert await stored_ids(store_engine) == {first.audit_id, other.audit_id}
    assert runs == [3]  # one fetch, one statement: the redelivered copy left out before it
    async with store_engine.connect() as conn:
        row = (
            await conn.execute(
                select(audit_entries).where(audit_entries.c.audit_id == first.audit_id)
            )
        ).one()
    assert (row.event_id, row.actor_id, row.service) == (again.event_id, first.actor.id, "auth")


async def processed_count(engine: AsyncEngine, expected: int) -> bool:
    async with engine.connect() as conn:
        count = await conn.scalar(select(func.count()).select_from(processed_events))
    return count == expected


def audit_consumer(engine: AsyncEngine, topic: str) -> IdempotentConsumer:
    group = f"tests-audit-{uuid.uuid4().hex[:8]}"
    return IdempotentConsumer(
        ConsumerConfig(group_id=group, kafka=KAFKA, client_id="tests-audit"),
        store.register(HandlerMap(), topic=topic),
        async_sessionmaker(engine, expire_on_commit=False),
        lambda: create_consumer(KAFKA, topic, group_id=group, client_id="tests-audit"),
        lambda: create_producer(KAFKA, client_id="tests-audit"),
    )
