"""The throwaway stack the API contract test fuzzes: started once, its schemas dropped after."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from tests.conftest import RUN
from tests.integration.api_contract.throwaway import (
    SERVICES,
    Stack,
    create_schema,
    drop_schema,
    stack,
)


@pytest.fixture(scope="session")
async def throwaway_stack() -> AsyncIterator[Stack]:
    run = uuid.uuid4().hex[:8]
    schemas = {name: f"t_fuzz_{name}_{run}" for name in SERVICES}
    log_dir = RUN / "api-contract"
    log_dir.mkdir(parents=True, exist_ok=True)
    for schema in schemas.values():
        await create_schema(schema)
    try:
        with stack(schemas, log_dir) as running:
            yield running
    finally:
        for schema in schemas.values():
            await drop_schema(schema)
