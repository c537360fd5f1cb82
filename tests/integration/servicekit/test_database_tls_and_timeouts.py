"""PostgreSQL takes TCP logins only over TLS, a service's connections verify its certificate,
and a statement that runs or waits for a lock too long is a 503 to retry, not a stuck worker.

The service is the kit's own app over the real PostgreSQL (the stack's cluster, as
deploy/local/postgres.sh configures it), with timeouts of a few hundred milliseconds, so each
case takes a moment.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import APIRouter
from pydantic import SecretStr
from servicekit.app import create_app
from servicekit.db import ConnectOptions, asyncpg_dsn
from servicekit.deps import UnitOfWorkDep
from servicekit.service import ServiceDefinition
from servicekit.settings import ServiceSettings
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import KIT_DATABASE_URL, ROOT
from tests.unit.servicekit.test_database_tls_options import make_ca

pytestmark = pytest.mark.integration

# The CA the cluster's certificate chains to (deploy/local/certs.sh; both stacks share it).
DATABASE_CA = os.environ.get("TEST_DATABASE_SSL_CA_FILE", str(ROOT / ".run" / "tls" / "ca.crt"))
DSN = asyncpg_dsn(KIT_DATABASE_URL)
# The lock timeout is the shorter, so a wait for a lock ends by it and not the statement's.
STATEMENT_TIMEOUT_MS = 300
LOCK_TIMEOUT_MS = 100
_IS_TLS = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"


class _Settings(ServiceSettings):
    database_url: SecretStr = SecretStr(KIT_DATABASE_URL)


def waiting_service(settings: Callable[[], ServiceSettings]) -> ServiceDefinition[ServiceSettings]:
    router = APIRouter()

    @router.get("/encrypted")
    async def encrypted(uow: UnitOfWorkDep) -> dict[str, bool]:
        return {"ssl": bool(await uow.session.scalar(text(_IS_TLS)))}

    @router.get("/slow")
    async def slow(uow: UnitOfWorkDep) -> dict[str, str]:
        await uow.session.execute(text("SELECT pg_sleep(2)"))
        return {"answered": "late"}

    @router.post("/effects/count")
    async def count(uow: UnitOfWorkDep) -> dict[str, int]:
        # A write's first step: lock what it will change (here, the whole table).
        await uow.session.execute(text("LOCK TABLE effects IN SHARE ROW EXCLUSIVE MODE"))
        return {"count": await uow.session.scalar(text("SELECT count(*) FROM effects")) or 0}

    return ServiceDefinition(
        name="waiting",
        title="Waiting",
        description="Runs statements that outlive the connection's timeouts.",
        settings=settings,
        metadata=MetaData(),
        migrations="servicekit:alembic",
        routers=[router],
    )


@pytest.fixture
async def api(schema: str) -> AsyncIterator[httpx.AsyncClient]:
    def settings() -> ServiceSettings:
        return _Settings(
            database_schema=schema,
            background_workers=False,
            kafka_bootstrap_servers="127.0.0.1:1",
            db_pool_size=2,
            database_sslmode="verify-full",
            database_ssl_ca_file=DATABASE_CA,
            db_statement_timeout_ms=STATEMENT_TIMEOUT_MS,
            db_lock_timeout_ms=LOCK_TIMEOUT_MS,
        )

    app = create_app(waiting_service(settings))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://waiting", timeout=30
        ) as client,
    ):
        yield client


async def test_a_tcp_login_without_tls_is_refused_before_the_password():
    with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError, match="no encryption"):
        await asyncpg.connect(DSN, ssl=False)


async def test_verify_full_with_the_local_ca_connects_encrypted():
    conn = await ConnectOptions(sslmode="verify-full", ssl_ca_file=DATABASE_CA).connect(DSN)
    try:
        assert await conn.fetchval(_IS_TLS) is True
        version = await conn.fetchval(
            "SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
        )
        assert version in ("TLSv1.2", "TLSv1.3")
    finally:
        await conn.close()


async def test_verify_full_refuses_a_server_whose_certificate_another_ca_signed(tmp_path: Path):
    stranger = ConnectOptions(sslmode="verify-full", ssl_ca_file=make_ca(tmp_path, "Stranger"))
    with pytest.raises(ssl.SSLCertVerificationError):
        await stranger.connect(DSN)


async def test_the_services_pool_is_encrypted_with_verify_full(api):
    response = await api.get("/encrypted")
    assert response.json() == {"ssl": True}


async def test_a_statement_longer_than_the_timeout_is_a_503_to_retry(api):
    response = await api.get("/slow")
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["title"] == "The database did not answer in time"
    assert response.elapsed.total_seconds() < 1.5  # cancelled at 300 ms, not after pg_sleep(2)


async def test_a_lock_held_elsewhere_past_the_lock_timeout_is_a_503_to_retry(
    api, engine: AsyncEngine
):
    async with engine.connect() as holder, holder.begin():
        await holder.execute(text("LOCK TABLE effects IN ACCESS EXCLUSIVE MODE"))
        response = await api.post("/effects/count")
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["title"] == "A record is being changed elsewhere"
    assert (await api.post("/effects/count")).json() == {"count": 0}  # served once released
