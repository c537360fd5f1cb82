"""Fixtures of the optimizer's integration tests: an optimizer of its own per test."""

from __future__ import annotations

import pytest

from tests.integration.conftest import create_topic
from tests.integration.optimizer.world import Optimizer, create_optimizer_tables


@pytest.fixture
async def optimizer(engine, schema) -> Optimizer:
    await create_optimizer_tables(engine)
    return Optimizer(
        engine=engine,
        schema=schema,
        requests=await create_topic("optimization-requests"),
        outcomes=await create_topic("schedules"),
    )
