"""Fixtures of the scheduling service's integration tests: a scheduling service of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.integration.scheduling.world import Scheduling, scheduling_engine


@pytest.fixture
async def scheduling(schema: str) -> AsyncIterator[Scheduling]:
    engine = await scheduling_engine(schema)
    yield Scheduling(engine=engine, schema=schema)
    await engine.dispose()
