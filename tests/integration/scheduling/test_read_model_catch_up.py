"""The read model catches up from the resources topics after the service was down.

Resources keeps changing while scheduling's consumer is stopped; when it starts again it reads
from its committed offsets and ends with exactly the newest snapshot of every entity, a
redelivered older snapshot changing nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

from contracts.envelope import Envelope, Event
from contracts.events.resources_blocks import BlockAllocated, BlockReleased, WeeklyRecurrence
from contracts.events.resources_operating_rooms import OperatingRoomRetired
from contracts.events.resources_staff import StaffStatus
from contracts.topics import (
    RESOURCES_BLOCKS,
    RESOURCES_EQUIPMENT,
    RESOURCES_OPERATING_ROOMS,
    RESOURCES_STAFF,
)
from scheduling_service.handlers import resources as read_model
from scheduling_service.read_model import resources_view
from servicekit.kafka import create_consumer, create_producer
from servicekit.messaging.consumer import ConsumerConfig, HandlerMap, IdempotentConsumer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

from tests.conftest import KAFKA
from tests.integration.conftest import create_topic
from tests.integration.scheduling.world import Scheduling, c_arm, person, room
from tests.integration.servicekit.effects import wait_until

CONTRACT_TOPICS = (
    RESOURCES_OPERATING_ROOMS,
    RESOURCES_STAFF,
    RESOURCES_EQUIPMENT,
    RESOURCES_BLOCKS,
)


class Feed:
    """Test-owned copies of the four resources topics, and a consumer reading them."""

    def __init__(self, scheduling: Scheduling, topics: dict[str, str]) -> None:
        self.scheduling = scheduling
        self.topics = topics
        self.group = f"tests-scheduling-{uuid.uuid4().hex[:8]}"

    async def publish(self, *events: Event) -> None:
        producer = create_producer(KAFKA, client_id="tests-resources")
        await producer.start()
        try:
            for event in events:
                envelope = Envelope.wrap(event, producer="resources")
                await producer.send_and_wait(
                    self.topics[event.topic.name],
                    value=envelope.model_dump_json().encode(),
                    key=event.aggregate_id().encode(),
                    headers=[
                        ("event_type", event.event_type.encode()),
                        ("event_id", str(envelope.event_id).encode()),
                    ],
                )
        finally:
            await producer.stop()

    @asynccontextmanager
    async def consuming(self) -> AsyncIterator[None]:
        consumer = IdempotentConsumer(
            ConsumerConfig(group_id=self.group, kafka=KAFKA, client_id="tests"),
            read_model.register(HandlerMap(), topics=self.topics),
            async_sessionmaker(self.scheduling.engine, expire_on_commit=False),
            lambda: create_consumer(
                KAFKA, *self.topics.values(), group_id=self.group, client_id="tests"
            ),
            lambda: create_producer(KAFKA, client_id="tests"),
        )
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run(stop))
        try:
            yield
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=30)

    async def processed(self) -> int:
        async with self.scheduling.engine.connect() as conn:
            return (await conn.execute(text("SELECT count(*) FROM processed_events"))).scalar_one()


async def test_catches_up_with_every_change_made_while_it_was_down(
    scheduling: Scheduling,
) -> None:
    feed = Feed(scheduling, {t.name: await create_topic("resources") for t in CONTRACT_TOPICS})
    theatre, surgeon, arms = room(), person("surgeon"), c_arm(units=2)
    block = BlockAllocated(
        block_id=uuid.uuid4(),
        room_id=theatre.room_id,
        surgeon_id=surgeon.staff_id,
        recurrence=WeeklyRecurrence(weekdays=("monday",), valid_from=date(2027, 3, 1)),
        start_time="08:00",
        end_time="12:00",
        version=1,
    )
    await feed.publish(theatre, surgeon, arms, block)
    async with feed.consuming():
        await wait_until(lambda: _count(scheduling, "blocks", 1), timeout=30, what="first feed")

    # Down: resources renames the room and then retires it, the surgeon goes inactive, a
    # C-arm unit leaves, a block date is released; an old room snapshot is delivered again.
    retired_at = datetime(2027, 2, 1, tzinfo=UTC)
    renamed = theatre.model_copy(update={"name": "Renamed", "version": 2})
    retired = renamed.model_copy(update={"version": 3, "retired_at": retired_at})
    inactive = surgeon.model_copy(update={"status": StaffStatus.INACTIVE, "version": 2})
    fewer = arms.model_copy(update={"units": arms.units[:1], "version": 2})
    released = block.model_copy(update={"released_dates": (date(2027, 3, 8),), "version": 2})
    await feed.publish(
        renamed,
        OperatingRoomRetired(room_id=theatre.room_id, retired_at=retired_at, version=3),
        retired,
        inactive,
        fewer,
        BlockReleased(
            block_id=block.block_id,
            occurrence_date=date(2027, 3, 8),
            released_by=uuid.uuid4(),
            released_at=retired_at,
            version=2,
        ),
        released,
        theatre,  # version 1 again: must change nothing
    )
    events_before = await feed.processed()
    async with feed.consuming():
        await wait_until(
            lambda: _processed_at_least(feed, events_before + 8), timeout=30, what="catch-up"
        )

    async with scheduling.unit_of_work() as uow:
        rooms = await resources_view.rooms_by_id(uow.session, [theatre.room_id])
        staff = await resources_view.staff_by_id(uow.session, [surgeon.staff_id])
        units = await resources_view.units_by_id(uow.session, [u.unit_id for u in arms.units])
        blocks = await resources_view.live_blocks(uow.session, [theatre.room_id])
    assert rooms[theatre.room_id] == retired
    assert staff[surgeon.staff_id].status == StaffStatus.INACTIVE
    assert set(units) == {arms.units[0].unit_id}
    assert [b.released_dates for b in blocks] == [(date(2027, 3, 8),)]
    assert await feed.processed() == events_before + 8  # each event applied once


async def _count(scheduling: Scheduling, table: str, wanted: int) -> bool:
    async with scheduling.engine.connect() as conn:
        found = (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
    return found >= wanted


async def _processed_at_least(feed: Feed, wanted: int) -> bool:
    return await feed.processed() >= wanted
