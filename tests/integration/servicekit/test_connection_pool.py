"""A burst of requests keeps the connections it opened: none is opened and closed per request
(each a TLS handshake, a SCRAM exchange and a new backend process), and past its bound a request
waits for one rather than opening more."""

from __future__ import annotations

import asyncio

import pytest
from servicekit.db import create_engine, read_sessions
from sqlalchemy import text

from tests.conftest import KIT_DATABASE_URL

pytestmark = pytest.mark.integration

BACKEND = text("SELECT pg_backend_pid() FROM pg_sleep(0.05)")


async def test_a_burst_keeps_the_connections_it_opened(schema):
    engine = create_engine(KIT_DATABASE_URL, pool_size=2, search_path=schema)
    sessions = read_sessions(engine)

    async def backends(concurrent: int) -> set[int]:
        async def one() -> int:
            async with sessions() as session:
                return (await session.execute(BACKEND)).scalar_one()

        return set(await asyncio.gather(*(one() for _ in range(concurrent))))

    try:
        burst = await backends(4)  # twice pool_size: each request a connection of its own
        assert len(burst) == 4
        assert await backends(4) == burst  # the same four again, none closed and reopened
        assert await backends(8) == burst  # past the bound: waits for one, opens none
    finally:
        await engine.dispose()
