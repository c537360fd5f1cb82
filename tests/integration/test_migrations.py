"""Each service's migrations build exactly the tables its code declares."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from servicekit.db import create_engine
from servicekit.messaging.schema import messaging_metadata
from servicekit.migrations import include_object

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("name", ["auth", "resources", "scheduling", "optimizer", "interop"])
async def test_the_migrated_database_matches_the_declared_tables(name):
    service = importlib.import_module(f"{name}_service.bootstrap").service
    engine = create_engine(service.settings().database_url.get_secret_value(), pool_size=1)
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(
                        sync, opts={"compare_type": True, "include_object": include_object}
                    ),
                    [service.metadata, messaging_metadata],
                )
            )
    finally:
        await engine.dispose()
    assert differences == [], f"{name}: migrations and tables differ: {differences}"
