"""A service's own background workers run beside the kit's relay and consumer."""

from __future__ import annotations

import asyncio

from pydantic import SecretStr
from servicekit.app import background_workers
from servicekit.health import BrokerWatch
from servicekit.messaging.relay import OutboxRelay
from servicekit.service import Runtime, ServiceDefinition
from servicekit.settings import ServiceSettings
from sqlalchemy import MetaData


class _Settings(ServiceSettings):
    database_url: SecretStr = SecretStr("postgresql+asyncpg://u:dev-only@127.0.0.1:1/none")


class _Sweeper:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def run(self, stop: asyncio.Event) -> None:
        await stop.wait()


def _service(**kwargs) -> ServiceDefinition:
    return ServiceDefinition(
        name="sweeping",
        title="Sweeping",
        description="A service with a worker of its own.",
        settings=_Settings,
        metadata=MetaData(),
        migrations="servicekit:alembic",
        **kwargs,
    )


async def test_a_services_own_workers_are_started_after_the_relay_with_its_runtime():
    service = _service(workers=lambda runtime: [_Sweeper(runtime)])
    runtime = Runtime(service, service.settings())
    try:
        workers = background_workers(runtime)
    finally:
        await runtime.close()
    assert isinstance(workers[0], OutboxRelay)
    assert isinstance(workers[-1], _Sweeper)
    assert workers[-1].runtime is runtime


async def test_a_service_without_workers_of_its_own_runs_only_the_relay_and_the_broker_watch():
    service = _service()
    runtime = Runtime(service, service.settings())
    try:
        workers = background_workers(runtime)
    finally:
        await runtime.close()
    assert [type(worker) for worker in workers] == [OutboxRelay, BrokerWatch]


async def test_a_service_serving_its_api_alone_runs_no_worker_at_all():
    service = _service(workers=lambda runtime: [_Sweeper(runtime)])
    runtime = Runtime(service, service.settings().model_copy(update={"background_workers": False}))
    try:
        assert background_workers(runtime) == []
    finally:
        await runtime.close()
