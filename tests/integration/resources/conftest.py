"""Fixtures of the resources service's integration tests: a resources service of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.integration.resources.world import Resources, resources_engine


@pytest.fixture
async def resources(schema: str) -> AsyncIterator[Resources]:
    engine = await resources_engine(schema)
    yield Resources(engine=engine, schema=schema)
    await engine.dispose()
