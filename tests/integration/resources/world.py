"""A resources service of its own per test: its tables in a fresh schema, its relay, its topics.

The service functions (`rooms.create`, ...) and the outbox relay are the service's own; only the
schema is the test's. The relay publishes to the real compacted `resources.*.v1` topics, so a
test reads them whole and looks only at the ids it made.
"""

from __future__ import annotations

import asyncio
import inspect
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from contracts.envelope import Envelope, Event
from contracts.registry import resolve
from contracts.topics import (
    RESOURCES_BLOCKS,
    RESOURCES_EQUIPMENT,
    RESOURCES_OPERATING_ROOMS,
    RESOURCES_STAFF,
)
from resources_service.db.tables import metadata
from resources_service.settings import ResourcesSettings
from servicekit import audit
from servicekit.db import UnitOfWork, create_engine
from servicekit.kafka import create_consumer, create_producer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.conftest import KAFKA, KIT_DATABASE_URL
from tests.integration.conftest import remember_topics
from tests.integration.servicekit.effects import make_relay, outbox_ids, wait_until

T = TypeVar("T")
RESOURCES_TOPICS = tuple(
    t.name
    for t in (RESOURCES_OPERATING_ROOMS, RESOURCES_STAFF, RESOURCES_EQUIPMENT, RESOURCES_BLOCKS)
)
# The events that carry a whole entity; the others (retired, released) only announce a change.
SNAPSHOT_EVENTS = frozenset(
    {"OperatingRoomUpserted", "StaffMemberUpserted", "EquipmentUpserted", "BlockAllocated"}
)


async def resources_engine(schema: str) -> AsyncEngine:
    """An engine on `schema` with the resources tables created in it.

    `public` stays on the search path: btree_gist, which the exclusion constraints use, is
    installed there once for the whole kit_test database.
    """
    engine = create_engine(KIT_DATABASE_URL, pool_size=3, search_path=f"{schema}, public")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return engine


@dataclass
class Resources:
    """One test's resources service: changes go through its own service functions."""

    engine: AsyncEngine
    schema: str
    settings: ResourcesSettings = field(
        default_factory=lambda: ResourcesSettings(database_url=KIT_DATABASE_URL)
    )
    actor_id: uuid.UUID = field(default_factory=uuid.uuid4)

    async def change(self, action: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Runs one service function in its own unit of work, as a route would; the function
        commits its change itself.

        The acting user and the hospital's settings go to the functions that take them.
        """
        wanted = inspect.signature(action).parameters
        context = {"actor": audit.user(self.actor_id), "settings": self.settings}
        kwargs |= {name: value for name, value in context.items() if name in wanted}
        async with UnitOfWork(async_sessionmaker(self.engine), "resources") as uow:
            return await action(uow, *args, **kwargs)

    async def read(self, query: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async with async_sessionmaker(self.engine)() as session:
            return await query(session)

    @asynccontextmanager
    async def relaying(self) -> AsyncIterator[None]:
        """The service's outbox relay, running until every committed event is published."""
        stop = asyncio.Event()
        task = asyncio.create_task(make_relay(KIT_DATABASE_URL, self.schema, KAFKA).run(stop))
        try:
            yield
            await wait_until(
                lambda: _all_published(self.engine), timeout=30, what="the outbox to empty"
            )
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=30)


async def _all_published(engine: AsyncEngine) -> bool:
    return await outbox_ids(engine, published=False) == []


async def read_whole_topics(*topics: str, timeout: float = 60) -> list[tuple[str, Envelope]]:
    """(key, envelope) of every message on `topics`, read by a consumer of a brand-new group."""
    group = f"tests-rebuild-{uuid.uuid4().hex[:12]}"
    consumer = create_consumer(KAFKA, *topics, group_id=group, client_id="tests-rebuild")
    await consumer.start()
    messages: list[tuple[str, Envelope]] = []
    ends: dict[Any, int] = {}
    deadline = asyncio.get_running_loop().time() + timeout
    try:
        while not ends or await _behind(consumer, ends):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{topics} not read to their end in {timeout}s")
            batch = await consumer.getmany(timeout_ms=500)
            for record in (r for records in batch.values() for r in records):
                messages.append((record.key.decode(), Envelope.model_validate_json(record.value)))
            assigned = consumer.assignment()
            if not ends and {tp.topic for tp in assigned} == set(topics):
                ends = await consumer.end_offsets(list(assigned))
    finally:
        await consumer.stop()
    return messages


async def _behind(consumer: Any, ends: dict[Any, int]) -> bool:
    return any([await consumer.position(tp) < end for tp, end in ends.items()])


def fold(messages: list[tuple[str, Envelope]]) -> dict[str, Event]:
    """The latest snapshot per key, by highest version: what a consumer's read model holds."""
    latest: dict[str, Envelope] = {}
    for key, envelope in messages:
        if envelope.event_type not in SNAPSHOT_EVENTS:
            continue
        known = latest.get(key)
        if known is None or envelope.data["version"] >= known.data["version"]:
            latest[key] = envelope
    return {
        key: resolve(e.event_type, e.event_version).model_validate(e.data)
        for key, e in latest.items()
    }


async def topic_configs(*topics: str) -> dict[str, dict[str, str]]:
    admin = AIOKafkaAdminClient(**KAFKA.client_options())
    await admin.start()
    try:
        answers = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name in topics]
        )
    finally:
        await admin.close()
    return {
        name: {entry[0]: entry[1] for entry in entries}
        for answer in answers
        for _error, _message, _type, name, entries in answer.resources
    }


async def create_quickly_compacted_topic() -> str:
    """A compacted topic whose segments roll after 100 ms, so the cleaner soon has work."""
    name = f"test.compaction.{uuid.uuid4().hex[:12]}.v1"
    remember_topics(name)
    configs = {
        "cleanup.policy": "compact",
        "segment.ms": "100",
        "min.cleanable.dirty.ratio": "0.01",
        "min.compaction.lag.ms": "0",
    }
    admin = AIOKafkaAdminClient(**KAFKA.client_options())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 1, 1, topic_configs=configs)])
    finally:
        await admin.close()
    return name


async def produce(topic: str, messages: list[tuple[str, Envelope]]) -> None:
    producer = create_producer(KAFKA, client_id="tests-compaction")
    await producer.start()
    try:
        for key, envelope in messages:
            value = envelope.model_dump_json().encode()
            await producer.send_and_wait(topic, value=value, key=key.encode())
    finally:
        await producer.stop()


async def compacted(topic: str, *, keys: set[str], timeout: float) -> list[tuple[str, Envelope]]:
    """The topic's messages of `keys` once the log cleaner has left one per key.

    Only closed segments are compacted: a filler message now and then (under a key of its own)
    closes the one being written.
    """
    deadline = asyncio.get_running_loop().time() + timeout
    filler = f"filler-{uuid.uuid4().hex}"
    while True:
        messages = await read_whole_topics(topic)
        ours = [(k, e) for k, e in messages if k in keys]
        if len(ours) == len(keys):
            return ours
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{topic} kept {len(ours)} messages of {len(keys)} keys")
        await produce(topic, [(filler, messages[0][1])])
        await asyncio.sleep(1)
