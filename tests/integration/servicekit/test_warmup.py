"""A worker's warm-up (`servicekit.warmup`): its connections are open and its route tables
built before its first request, and a database or auth service that is away costs the start no
more than the warm-up's time."""

from __future__ import annotations

import asyncio
import time

import fastapi.routing
import pytest
from fastapi import APIRouter
from pydantic import SecretStr
from servicekit import warmup
from servicekit.app import create_app
from servicekit.auth import JwksKeys
from servicekit.direct_reads import Query
from servicekit.service import Runtime, ServiceDefinition
from servicekit.settings import ServiceSettings
from sqlalchemy import MetaData, literal_column, select, text
from sqlalchemy.engine import make_url
from starlette.routing import BaseRoute

from tests.conftest import KIT_DATABASE_URL

pytestmark = pytest.mark.integration

router = APIRouter()


@router.get("/things/{thing_id}")
async def a_thing(thing_id: int, detail: bool = False) -> dict[str, int]:
    return {"thing_id": thing_id}


# A direct read of this process's: the warm-up compiles it and opens the direct reads' pool.
ONE = Query(select(literal_column("1").label("one")))


def _definition(
    schema: str, url: str, *, audits_reads: bool = True
) -> ServiceDefinition[ServiceSettings]:
    class Settings(ServiceSettings):
        database_url: SecretStr = SecretStr(url)

    return ServiceDefinition(
        name="warming",
        title="Warming",
        description="A worker that warms up.",
        settings=lambda: Settings(database_schema=schema, db_pool_size=4, background_workers=False),
        metadata=MetaData(),
        migrations="servicekit:alembic",
        routers=[router],
        audits_reads=audits_reads,
    )


def _builds(app, monkeypatch) -> int:
    """How many route dependencies matching a request for /things/7 works out."""
    built = 0
    original = fastapi.routing.get_dependant

    def counting(*args, **kwargs):
        nonlocal built
        built += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "get_dependant", counting)
    scope = {"type": "http", "method": "GET", "path": "/things/7", "root_path": "", "headers": []}
    assert any(route.matches(scope)[0].name == "FULL" for route in app.router.routes)
    monkeypatch.setattr(fastapi.routing, "get_dependant", original)
    return built


async def test_a_warmed_worker_has_its_connections_open_and_its_routes_built(schema, monkeypatch):
    definition = _definition(schema, KIT_DATABASE_URL)
    runtime = Runtime(definition, definition.settings())
    cold, warmed = create_app(definition), create_app(definition)
    keys = JwksKeys("http://127.0.0.1:9/jwks.json")  # nobody there: the keys wait for a token
    try:
        assert _builds(cold, monkeypatch) > 0  # a cold worker's first request builds them

        await warmup.warm(warmed, runtime, keys, None)

        assert _builds(warmed, monkeypatch) == 0
        assert runtime.engine.pool.checkedin() == warmup.WARM_CONNECTIONS
        assert runtime.direct_reads._pool is not None
        assert runtime.direct_reads._pool.get_size() == warmup.WARM_CONNECTIONS
        assert runtime._audit_engine.pool.checkedin() == 1
    finally:
        await keys.aclose()
        await runtime.close()


async def test_a_service_that_audits_no_reads_opens_no_connection_for_them(schema):
    definition = _definition(schema, KIT_DATABASE_URL, audits_reads=False)
    runtime = Runtime(definition, definition.settings())
    keys = JwksKeys("http://127.0.0.1:9/jwks.json")
    try:
        await warmup.warm(create_app(definition), runtime, keys, None)
        assert runtime.engine.pool.checkedin() == warmup.WARM_CONNECTIONS
        assert runtime._audit_engine.pool.checkedin() == 0
    finally:
        await keys.aclose()
        await runtime.close()


async def test_a_database_that_does_not_answer_delays_the_start_by_the_warm_up_at_most(
    schema, caplog
):
    # A port that accepts and never answers: the connection's TLS request waits for ever.
    async def silent(reader, writer):
        await reader.read()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    url = make_url(KIT_DATABASE_URL).set(host="127.0.0.1", port=port)
    definition = _definition(schema, url.render_as_string(hide_password=False))
    runtime = Runtime(definition, definition.settings())
    keys = JwksKeys("http://127.0.0.1:9/jwks.json")
    try:
        started = time.monotonic()
        await warmup.warm(create_app(definition), runtime, keys, None, seconds=1.0)
        assert time.monotonic() - started < 3.0
        assert "without warming database connections" in caplog.text
    finally:
        server.close()
        await keys.aclose()
        await runtime.close()


# A query of another module, over a table this service's database does not hold.
ELSEWHERE = Query(select(literal_column("1").label("one")).select_from(text("no_such_table")))


async def test_a_query_that_cannot_be_prepared_leaves_the_rest_warmed(schema, caplog):
    definition = _definition(schema, KIT_DATABASE_URL)
    runtime = Runtime(definition, definition.settings())
    keys = JwksKeys("http://127.0.0.1:9/jwks.json")
    try:
        await warmup.warm(create_app(definition), runtime, keys, None)
        assert runtime.engine.pool.checkedin() == warmup.WARM_CONNECTIONS
        assert runtime.direct_reads._pool is not None
        assert runtime.direct_reads._pool.get_size() == warmup.WARM_CONNECTIONS
        assert "without warming" not in caplog.text
    finally:
        await keys.aclose()
        await runtime.close()


async def test_a_route_table_that_cannot_be_built_ahead_does_not_stop_the_start(schema, caplog):
    class Unmatchable(BaseRoute):
        def matches(self, scope):
            raise RuntimeError("matched otherwise")

    definition = _definition(schema, KIT_DATABASE_URL)
    runtime = Runtime(definition, definition.settings())
    app = create_app(definition)
    app.router.routes.append(Unmatchable())
    keys = JwksKeys("http://127.0.0.1:9/jwks.json")
    try:
        await warmup.warm(app, runtime, keys, None)
        assert "without building its routes ahead" in caplog.text
        assert runtime.engine.pool.checkedin() == warmup.WARM_CONNECTIONS
    finally:
        await keys.aclose()
        await runtime.close()
