"""A service's own settings reach its seed, its workers and its routes as its own class."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from servicekit.app import background_workers
from servicekit.deps import RuntimeDep
from servicekit.service import Runtime, ServiceDefinition
from servicekit.settings import ServiceSettings
from sqlalchemy import MetaData


class _HospitalSettings(ServiceSettings):
    database_url: SecretStr = SecretStr("postgresql+asyncpg://u:dev-only@127.0.0.1:1/none")
    hospital_name: str = "St. Elsewhere"


class _Greeter:
    def __init__(self, greeting: str) -> None:
        self.greeting = greeting

    async def run(self, stop: asyncio.Event) -> None:
        await stop.wait()


def _greeters(runtime: Runtime[_HospitalSettings]) -> list[_Greeter]:
    return [_Greeter(f"welcome to {runtime.settings.hospital_name}")]


def _service() -> ServiceDefinition[_HospitalSettings]:
    return ServiceDefinition(
        name="greeting",
        title="Greeting",
        description="A service with settings of its own.",
        settings=_HospitalSettings,
        metadata=MetaData(),
        migrations="servicekit:alembic",
        workers=_greeters,
    )


async def test_a_worker_factory_reads_the_services_own_setting_from_the_runtime() -> None:
    service = _service()
    runtime = Runtime(service, service.settings().model_copy(update={"hospital_name": "Mercy"}))
    try:
        (greeter,) = [w for w in background_workers(runtime) if isinstance(w, _Greeter)]
        assert greeter.greeting == "welcome to Mercy"
    finally:
        await runtime.close()


async def test_a_route_gets_the_apps_runtime_with_its_settings_and_no_query_parameter() -> None:
    service = _service()
    runtime = Runtime(service, service.settings())
    app = FastAPI()
    app.state.runtime = runtime

    @app.get("/hospital")
    def hospital(runtime: RuntimeDep[_HospitalSettings]) -> str:
        return runtime.settings.hospital_name

    try:
        with TestClient(app) as client:
            assert client.get("/hospital").json() == "St. Elsewhere"
        assert "parameters" not in app.openapi()["paths"]["/hospital"]["get"]
    finally:
        await runtime.close()


async def test_the_runtimes_settings_are_read_only_once_it_is_made() -> None:
    service = _service()
    runtime = Runtime(service, service.settings())
    try:
        with pytest.raises(AttributeError):
            runtime.settings = service.settings()  # type: ignore[misc]  # what is under test
    finally:
        await runtime.close()
