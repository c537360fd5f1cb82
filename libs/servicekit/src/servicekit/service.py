"""What a service declares about itself, and the runtime the kit wires from that declaration."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from fastapi import APIRouter
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from servicekit.db import UnitOfWork, asyncpg_dsn, create_engine
from servicekit.health import KafkaProbe
from servicekit.settings import ServiceSettings

if TYPE_CHECKING:
    from servicekit.messaging.consumer import HandlerMap


class Worker(Protocol):
    """A background task of the service process, like the relay and the consumer.

    `run` works until `stop` is set, then finishes what it holds and returns within the
    shutdown grace period (after which it is cancelled).
    """

    async def run(self, stop: asyncio.Event) -> None: ...


@dataclass(frozen=True)
class ServiceDefinition:
    """A service's composition root hands this to the kit: the kit does the rest."""

    name: str
    title: str
    description: str
    settings: Callable[[], ServiceSettings]
    metadata: MetaData
    migrations: str  # the folder of its Alembic versions, "package:folder"
    routers: Sequence[APIRouter] = ()
    handlers: Callable[[], HandlerMap] | None = None
    seed: Callable[[Runtime], Awaitable[None]] | None = None
    # The service's own background workers, started and drained with the relay and consumer.
    workers: Callable[[Runtime], Sequence[Worker]] | None = None
    version: str = "0.1.0"
    openapi_tags: Sequence[dict[str, str]] = field(default_factory=tuple)

    @property
    def consumer_group(self) -> str:
        return f"{self.name}-service"


class Runtime:
    """The live connections of one service process; one per process, made at start-up."""

    def __init__(self, service: ServiceDefinition, settings: ServiceSettings) -> None:
        self.service = service
        self.settings = settings
        url = settings.database_url.get_secret_value()
        self.engine: AsyncEngine = create_engine(
            url, pool_size=settings.db_pool_size, search_path=settings.search_path
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.dsn = asyncpg_dsn(url)
        self.kafka_probe = KafkaProbe(settings.kafka_bootstrap_servers)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, producer=self.service.name)

    async def close(self) -> None:
        await self.engine.dispose()
