"""While a service's database is away, its API answers 503 with Retry-After (never 500), leaves
no write half done, says it is not ready, and serves again once the database is back.

The service is the kit's own app over the real PostgreSQL, reached through a link the test
severs as a restart would (backends terminated, then connections refused). Readiness depends on
the database and its migrations, not on the broker.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import APIRouter
from pydantic import SecretStr
from servicekit import migrations
from servicekit.app import create_app
from servicekit.db import create_engine
from servicekit.deps import DirectReadsDep, UnitOfWorkDep
from servicekit.direct_reads import Query
from servicekit.health import database_problem
from servicekit.service import ServiceDefinition
from servicekit.settings import ServiceSettings
from sqlalchemy import MetaData, func, insert, select, text
from sqlalchemy.engine import make_url

from tests.conftest import KIT_DATABASE_URL
from tests.integration.servicekit.effects import effects, user_registered
from tests.integration.servicekit.severable_link import SeverableLink

pytestmark = pytest.mark.integration

TOPIC = "test.outage.never-published.v1"  # no relay runs: events stay in the outbox


class _Settings(ServiceSettings):
    database_url: SecretStr = SecretStr(KIT_DATABASE_URL)


COUNT = Query(select(func.count().label("count")).select_from(effects))


def registering_service(settings: Callable[[], ServiceSettings], halfway: asyncio.Event):
    """A kit service whose write is two statements with a pause between them."""
    router = APIRouter()

    @router.post("/registrations", status_code=201)
    async def register(uow: UnitOfWorkDep, pause: float = 0.0) -> dict[str, str]:
        event = user_registered()
        await uow.session.execute(
            insert(effects).values(event_id=uuid.uuid4(), user_id=event.user_id)
        )
        halfway.set()
        await asyncio.sleep(pause)
        await uow.outbox.add(event, topic=TOPIC)
        await uow.commit()
        return {"user_id": str(event.user_id)}

    @router.get("/registrations/count")
    async def count(uow: UnitOfWorkDep) -> dict[str, int]:
        return {"count": await uow.session.scalar(select(func.count()).select_from(effects))}

    @router.get("/registrations/count-direct")
    async def count_directly(reads: DirectReadsDep) -> dict[str, int]:
        (row,) = await reads.all(COUNT)
        return {"count": row.count}

    return ServiceDefinition(
        name="registering",
        title="Registering",
        description="Registers users through a database the test can take away.",
        settings=settings,
        metadata=MetaData(),
        migrations="servicekit:alembic",
        routers=[router],
    )


@pytest.fixture
async def link() -> AsyncIterator[SeverableLink]:
    link = SeverableLink(KIT_DATABASE_URL)
    await link.open()
    yield link
    await link.close()


@pytest.fixture
def halfway() -> asyncio.Event:
    return asyncio.Event()


@pytest.fixture
async def api(schema: str, link: SeverableLink, halfway) -> AsyncIterator[httpx.AsyncClient]:
    url = make_url(KIT_DATABASE_URL).set(port=link.port).render_as_string(hide_password=False)

    def settings() -> ServiceSettings:
        return _Settings(
            database_url=SecretStr(url),
            database_schema=schema,
            background_workers=False,
            kafka_bootstrap_servers="127.0.0.1:1",  # no broker at all: readiness must not care
            db_pool_size=2,
        )

    app = create_app(registering_service(settings, halfway))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://registering", timeout=30
        ) as client,
    ):
        yield client


async def rows(engine, table: str) -> int:
    async with engine.connect() as conn:
        return await conn.scalar(text(f"SELECT count(*) FROM {table}"))


def assert_retry_later(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0


async def test_a_database_outage_is_answered_503_with_retry_after_and_then_served_again(
    api, link, engine
):
    assert (await api.post("/registrations")).status_code == 201
    assert (await api.get("/readyz")).status_code == 200

    assert await link.sever() >= 1  # the pool's open connection, ended by PostgreSQL
    during = [
        await api.post("/registrations"),
        await api.get("/registrations/count"),
        await api.get("/registrations/count-direct"),
    ]
    not_ready = await api.get("/readyz")
    await link.mend()

    for answer in during:
        assert_retry_later(answer)
    assert not_ready.status_code == 503
    assert "database unreachable" in not_ready.json()["problems"][0]
    assert (await api.post("/registrations")).status_code == 201
    assert (await api.get("/registrations/count")).json() == {"count": 2}
    assert (await api.get("/registrations/count-direct")).json() == {"count": 2}
    assert (await api.get("/readyz")).json() == {"status": "ready"}
    assert await rows(engine, "outbox") == 2


async def test_the_first_requests_after_a_database_restart_are_served_not_answered_503(
    api, link, engine
):
    # Both pooled connections in use at once and the direct reads' one, then idle in their
    # pools when the database restarts.
    first = await asyncio.gather(
        api.post("/registrations"),
        api.post("/registrations"),
        api.get("/registrations/count-direct"),
    )
    assert [answer.status_code for answer in first] == [201, 201, 200]

    assert await link.sever() == 3
    await link.mend()

    after = await asyncio.gather(
        api.get("/registrations/count"),
        api.post("/registrations"),
        api.get("/registrations/count-direct"),
    )
    assert [answer.status_code for answer in after] == [200, 201, 200], [a.text for a in after]
    assert (await api.get("/registrations/count")).json() == {"count": 3}


async def test_a_write_cut_off_halfway_is_answered_503_and_leaves_nothing_behind(
    api, link, engine, halfway
):
    writing = asyncio.create_task(api.post("/registrations", params={"pause": 1.0}))
    await asyncio.wait_for(halfway.wait(), timeout=10)  # its first row is written, uncommitted
    await link.sever()
    answer = await writing
    await link.mend()

    assert_retry_later(answer)
    assert "read the record again" in answer.json()["detail"]
    assert await rows(engine, "effects") == 0
    assert await rows(engine, "outbox") == 0
    assert (await api.post("/registrations")).status_code == 201


async def test_a_replica_whose_database_is_behind_its_migrations_is_not_ready(monkeypatch):
    from resources_service.bootstrap import service

    schema = f"t_{uuid.uuid4().hex[:12]}"
    for name, value in {
        "DATABASE_URL": KIT_DATABASE_URL,
        "DATABASE_SCHEMA": schema,
        "BACKGROUND_WORKERS": "false",
    }.items():
        monkeypatch.setenv(f"RESOURCES_{name}", value)
    admin = create_engine(KIT_DATABASE_URL, pool_size=1)
    engine = create_engine(KIT_DATABASE_URL, pool_size=1, search_path=schema)
    revisions = migrations.schema_revisions(service)
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        never_migrated = await database_problem(engine, revisions)
        await asyncio.to_thread(migrations.upgrade, service, "0001")
        behind = await database_problem(engine, revisions)
        await asyncio.to_thread(migrations.upgrade, service)
        at_head = await database_problem(engine, revisions)
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()

    assert never_migrated is not None and "not migrated" in never_migrated
    assert behind is not None and "behind" in behind and "0001" in behind
    assert at_head is None
