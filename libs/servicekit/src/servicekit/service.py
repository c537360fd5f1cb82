"""What a service declares about itself, and the runtime the kit wires from that declaration."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, Protocol

from fastapi import APIRouter
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from typing_extensions import TypeVar

from servicekit.db import (
    AuditedRead,
    ConnectOptions,
    UnitOfWork,
    asyncpg_dsn,
    audited_read_sessions,
    create_engine,
    read_sessions,
)
from servicekit.direct_reads import DirectReads, direct_read_connections
from servicekit.group_commit import GroupCommit
from servicekit.health import KafkaProbe
from servicekit.kafka import KafkaConnection
from servicekit.problems import ProblemFormat
from servicekit.settings import ServiceSettings

if TYPE_CHECKING:
    from servicekit.messaging.consumer import HandlerMap

# A service's own settings class; the definition and the runtime carry it, so a service's code
# reads `runtime.settings` as its own class without narrowing it. A bare `Runtime` is a
# `Runtime[ServiceSettings]`: code that reads only the kit's settings need not name the class.
SettingsT = TypeVar("SettingsT", bound=ServiceSettings, default=ServiceSettings)
# A `Runtime[AuthSettings]` is a `Runtime[ServiceSettings]` too (settings are only read).
SettingsT_co = TypeVar(
    "SettingsT_co", bound=ServiceSettings, default=ServiceSettings, covariant=True
)


class Worker(Protocol):
    """A background task of the service process, like the relay and the consumer.

    `run` works until `stop` is set, then finishes what it holds and returns within the
    shutdown grace period (after which it is cancelled).
    """

    async def run(self, stop: asyncio.Event) -> None: ...


@dataclass(frozen=True)
class ServiceDefinition(Generic[SettingsT]):
    """A service's composition root hands this to the kit: the kit does the rest.

    Generic over the service's settings class: `ServiceDefinition(settings=AuthSettings, ...)`
    is a `ServiceDefinition[AuthSettings]`, and its seed, workers and commands get a
    `Runtime[AuthSettings]`.
    """

    name: str
    title: str
    description: str
    settings: Callable[[], SettingsT]
    metadata: MetaData
    migrations: str  # the folder of its Alembic versions, "package:folder"
    routers: Sequence[APIRouter] = ()
    handlers: Callable[[], HandlerMap] | None = None
    seed: Callable[[Runtime[SettingsT]], Awaitable[None]] | None = None
    # The service's own background workers, started and drained with the relay and consumer.
    workers: Callable[[Runtime[SettingsT]], Sequence[Worker]] | None = None
    version: str = "0.1.0"
    openapi_tags: Sequence[dict[str, str]] = field(default_factory=tuple)
    # Errors under a path prefix answered in another format than problem+json (problems.py).
    problem_formats: Mapping[str, ProblemFormat] = field(default_factory=dict)
    # Its routes audit reads (`AuditedReadDep`): a worker opens the group commit's connection
    # at its start (`servicekit.warmup`), not on its first audited read.
    audits_reads: bool = False

    @property
    def consumer_group(self) -> str:
        return f"{self.name}-service"


class Runtime(Generic[SettingsT_co]):
    """The live connections of one service process; one per process, made at start-up.

    `settings` is the service's own settings class (`Runtime[SchedulingSettings]`), so no
    service narrows it with `isinstance`.
    """

    def __init__(self, service: ServiceDefinition[SettingsT_co], settings: SettingsT_co) -> None:
        self._service = service
        self._settings = settings
        url = settings.database_url.get_secret_value()
        # TLS and the statement and lock timeouts, for the pool and every connection of its own.
        self.connect_options = ConnectOptions.of(settings)
        # 2 x db_pool_size connections per worker in all: SQLAlchemy's pool, the few of the
        # direct reads (a room, a staff member, a case by id: `servicekit.direct_reads`), and
        # the one of the audited reads' group commit.
        direct = direct_read_connections(settings.db_pool_size)
        self.engine: AsyncEngine = create_engine(
            url,
            pool_size=settings.db_pool_size,
            search_path=settings.search_path,
            options=self.connect_options,
            leave=direct + 1,
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessions = read_sessions(self.engine)
        self.audited_read_sessions = audited_read_sessions(self.engine)
        # Audited reads' entries, committed together (`servicekit.group_commit`) on a
        # connection of their own: a read holding one of the pool's connections waits for its
        # entry, so entries written through the same pool could wait for connections that
        # only their own readers would give back (every connection held, nothing moving).
        self._audit_engine = create_engine(
            url,
            pool_size=1,
            search_path=settings.search_path,
            options=self.connect_options,
            leave=1,
        )
        self.audit_writes = GroupCommit(self._audit_engine)
        self.dsn = asyncpg_dsn(url)
        self.direct_reads = DirectReads(
            self.engine,
            self.dsn,
            connections=direct,
            search_path=settings.search_path,
            options=self.connect_options,
        )
        self.kafka_probe = KafkaProbe(KafkaConnection.of(settings))

    @property
    def service(self) -> ServiceDefinition[SettingsT_co]:
        return self._service

    @property
    def settings(self) -> SettingsT_co:
        return self._settings

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, producer=self.service.name)

    def audited_read(self) -> AuditedRead:
        return AuditedRead(
            self.audited_read_sessions, producer=self.service.name, writes=self.audit_writes
        )

    async def open_connections(self, count: int) -> None:
        """Opens `count` connections of the request pool and of the direct reads' pool, and the
        group commit's connection if the service audits reads, now (a worker's start:
        `servicekit.warmup`): each costs TLS and SCRAM, which the first requests would
        otherwise wait for. A pool the service does not use stays closed."""
        outcomes = await asyncio.gather(
            _open_connections(self.engine, count),
            _open_connections(self._audit_engine, 1 if self.service.audits_reads else 0),
            self.direct_reads.warm(count),
            return_exceptions=True,  # one pool that fails leaves the others opened
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def close(self) -> None:
        await self.direct_reads.close()
        await self._audit_engine.dispose()
        await self.engine.dispose()


async def _open_connections(engine: AsyncEngine, count: int) -> None:
    """`count` of `engine`'s pool's connections, opened and handed back to the pool."""
    async with AsyncExitStack() as held:
        for _ in range(count):
            await held.enter_async_context(engine.connect())
