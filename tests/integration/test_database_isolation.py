"""Each service's role reaches its own database and no other."""

from __future__ import annotations

import importlib

import asyncpg
import pytest
from servicekit.db import asyncpg_dsn
from sqlalchemy import make_url

pytestmark = pytest.mark.integration

SERVICES = ("auth", "resources", "scheduling", "optimizer", "interop")


def dsn(service: str, database: str | None = None) -> str:
    settings = importlib.import_module(f"{service}_service.bootstrap").service.settings()
    url = make_url(settings.database_url.get_secret_value())
    return asyncpg_dsn(url.set(database=database or url.database))


@pytest.mark.parametrize("service", SERVICES)
async def test_a_service_role_reaches_its_own_database(service):
    conn = await asyncpg.connect(dsn(service))
    try:
        assert await conn.fetchval("SELECT current_database()") == service
    finally:
        await conn.close()


@pytest.mark.parametrize(
    ("service", "other"),
    [(s, o) for s in SERVICES for o in (*SERVICES, "postgres") if o != s],
)
async def test_a_service_role_is_refused_by_every_other_database(service, other):
    with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError):
        await asyncpg.connect(dsn(service, other))
