"""Fixtures of the optimizer's integration tests: an optimizer of its own per test."""

from __future__ import annotations

import uuid

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from tests.conftest import KAFKA
from tests.integration.optimizer.world import Optimizer, create_optimizer_tables


async def _fresh_topic(purpose: str) -> str:
    name = f"test.{purpose}.{uuid.uuid4().hex[:12]}.v1"
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 1, 1), NewTopic(name + ".dlq", 1, 1)])
    finally:
        await admin.close()
    return name


@pytest.fixture
async def optimizer(engine, schema) -> Optimizer:
    await create_optimizer_tables(engine)
    return Optimizer(
        engine=engine,
        schema=schema,
        requests=await _fresh_topic("optimization-requests"),
        outcomes=await _fresh_topic("schedules"),
    )
