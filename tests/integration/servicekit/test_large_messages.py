"""A month's optimization problem can pass Kafka's default 1 MB: the large topics carry it.

Producers compress, the optimization topics (and their DLQs) take 8 MiB, the outbox holds each
topic to its own limit, and consumers fetch a whole large message.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from contracts.envelope import Envelope
from contracts.events.scheduling_optimization_requests import OptimizationRequested
from contracts.planning import (
    Horizon,
    OptimizationProblem,
    PlanningCase,
    PlanningRoom,
    PlanningStaffMember,
)
from contracts.topics import (
    DEFAULT_MAX_MESSAGE_BYTES,
    SCHEDULING_OPTIMIZATION_REQUESTS,
    SCHEDULING_SURGERIES,
)
from contracts.values import UtcWindow
from servicekit.db import UnitOfWork
from servicekit.kafka import create_consumer, create_producer
from servicekit.messaging.consumer import ConsumerConfig, HandlerMap, IdempotentConsumer
from servicekit.messaging.outbox import EventTooLarge, max_event_bytes
from servicekit.topics import dlq_configs, ensure_topics, topic_config_values, topic_configs
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.conftest import KAFKA, KIT_DATABASE_URL
from tests.integration.conftest import remember_topics
from tests.integration.servicekit.effects import effect_counts, effects, make_relay, wait_until
from tests.integration.servicekit.topic_settings import settled

pytestmark = pytest.mark.integration


def large_problem(staff: int = 600, days: int = 28) -> OptimizationProblem:
    """About 2 MB of JSON: many people, each with two shifts a day for four weeks."""
    first = date(2031, 3, 3)
    horizon = Horizon(start_date=first, end_date=first + timedelta(days=days - 1), timezone="UTC")
    windows = tuple(
        UtcWindow(
            start=datetime(2031, 3, 3, hour, tzinfo=UTC) + timedelta(days=d),
            end=datetime(2031, 3, 3, hour + 5, tzinfo=UTC) + timedelta(days=d),
        )
        for d in range(days)
        for hour in (7, 13)
    )
    people = tuple(
        PlanningStaffMember(staff_id=uuid.uuid4(), roles=("surgeon",), available_intervals=windows)
        for _ in range(staff)
    )
    room = PlanningRoom(room_id=uuid.uuid4(), open_intervals=windows)
    case = PlanningCase(
        case_id=uuid.uuid4(),
        surgeon_id=people[0].staff_id,
        duration_minutes=60,
        priority="elective",
    )
    return OptimizationProblem(horizon=horizon, cases=(case,), rooms=(room,), staff=people)


async def create_topic_like(model) -> str:
    """A topic of the test's own, configured as the contract topic `model` is, with its DLQ."""
    name = f"test.large.{uuid.uuid4().hex[:12]}.v1"
    remember_topics(name, name + ".dlq")
    admin = AIOKafkaAdminClient(**KAFKA.client_options())
    await admin.start()
    try:
        await admin.create_topics(
            [
                NewTopic(name, 1, 1, topic_configs=topic_configs(model)),
                NewTopic(name + ".dlq", 1, 1, topic_configs=dlq_configs(model)),
            ]
        )
    finally:
        await admin.close()
    return name


@contextlib.asynccontextmanager
async def running(*workers) -> AsyncIterator[None]:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(worker.run(stop)) for worker in workers]
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)


def problem_consumer(engine: AsyncEngine, topic: str, received: list) -> IdempotentConsumer:
    async def on_requested(
        session: AsyncSession, event: OptimizationRequested, envelope: Envelope
    ) -> None:
        received.append(event)
        await session.execute(
            insert(effects).values(event_id=envelope.event_id, user_id=event.request_id)
        )

    group = f"g-{uuid.uuid4().hex[:8]}"
    return IdempotentConsumer(
        ConsumerConfig(group_id=group, kafka=KAFKA, client_id="tests-large"),
        HandlerMap().on(OptimizationRequested, on_requested, topic=topic),
        async_sessionmaker(engine, expire_on_commit=False),
        lambda: create_consumer(KAFKA, topic, group_id=group, client_id="tests-large"),
        lambda: create_producer(KAFKA, client_id="tests-large"),
    )


async def test_a_two_megabyte_problem_travels_from_the_outbox_to_the_consumer(engine, schema):
    topic = await create_topic_like(SCHEDULING_OPTIMIZATION_REQUESTS)
    problem = large_problem()
    event = OptimizationRequested(request_id=uuid.uuid4(), problem=problem)
    assert len(event.model_dump_json()) > 2 * DEFAULT_MAX_MESSAGE_BYTES
    async with UnitOfWork(async_sessionmaker(engine), producer="tests") as uow:
        await uow.outbox.add(event, topic=topic)
        await uow.commit()
    received: list[OptimizationRequested] = []
    async with running(
        make_relay(KIT_DATABASE_URL, schema, KAFKA), problem_consumer(engine, topic, received)
    ):
        await wait_until(lambda: _any(engine), timeout=90, what="the large event's effect")
    assert [e.request_id for e in received] == [event.request_id]
    assert received[0].problem == problem


async def test_an_event_of_that_size_is_still_refused_on_a_topic_of_the_default_limit(engine):
    event = OptimizationRequested(request_id=uuid.uuid4(), problem=large_problem())
    async with UnitOfWork(async_sessionmaker(engine), producer="tests") as uow:
        with pytest.raises(EventTooLarge) as refused:
            await uow.outbox.add(event, topic=SCHEDULING_SURGERIES.name)
    assert f"{max_event_bytes(SCHEDULING_SURGERIES):,}" in refused.value.detail


def test_the_large_topics_allow_more_than_the_others_and_keep_room_for_the_envelope():
    assert max_event_bytes(SCHEDULING_SURGERIES) == 900_000
    large = max_event_bytes(SCHEDULING_OPTIMIZATION_REQUESTS)
    assert 8_000_000 < large < SCHEDULING_OPTIMIZATION_REQUESTS.max_message_bytes


async def test_an_existing_topic_is_given_the_configuration_its_contract_now_asks_for():
    name = f"test.reconfigure.{uuid.uuid4().hex[:12]}.v1"
    remember_topics(name)
    old = {"cleanup.policy": "delete", "retention.ms": str(3600_000)}
    new = topic_configs(SCHEDULING_OPTIMIZATION_REQUESTS)
    admin = AIOKafkaAdminClient(**KAFKA.client_options())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 1, 1, topic_configs=old)])
        await ensure_topics(KAFKA, [NewTopic(name, 2, 1, topic_configs=new)])
        await settled(admin, name, new)
        configs = (await topic_config_values(admin, [name]))[name]
        partitions = (await admin.describe_topics([name]))[0]["partitions"]
    finally:
        await admin.close()
    assert {key: configs[key] for key in new} == new
    assert configs["max.message.bytes"] == str(8 * 1024 * 1024)
    assert len(partitions) == 2


async def _any(engine: AsyncEngine) -> bool:
    return bool(await effect_counts(engine))
