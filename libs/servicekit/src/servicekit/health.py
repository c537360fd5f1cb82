"""Liveness and readiness: /healthz says the process runs, /readyz that it can serve HTTP.

Readiness is about this replica's own requests: its database answers and holds the schema this
code needs. The broker is not part of it: a write goes to the outbox while Kafka is away, and an
orchestrator that took every replica out for the broker's sake would refuse those writes too.
The broker's state is the `kafka_broker_reachable` gauge (`BrokerWatch`) and an alert.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

from aiokafka.client import AIOKafkaClient
from aiokafka.errors import KafkaConnectionError
from aiokafka.protocol.metadata import MetadataRequest
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from servicekit.kafka import KafkaConnection
from servicekit.metrics import KAFKA_BROKER_REACHABLE
from servicekit.problems import problem_response

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


class KafkaProbe:
    """Asks the broker for metadata over a connection it keeps; the answer is kept briefly so
    probes cost little.

    A fresh client per check cost a TLS handshake and a SCRAM exchange (thousands of PBKDF2
    rounds on each side) every few seconds in every process; now only a failed check drops the
    client, so the next one connects afresh and a broker that went away is noticed at once.
    """

    def __init__(self, kafka: KafkaConnection, *, cache_seconds: float = 2.0) -> None:
        self.kafka = kafka
        self._cache_seconds = cache_seconds
        self._checked_at = float("-inf")
        self._last: str | None = None
        self._client: AIOKafkaClient | None = None

    async def check(self) -> str | None:
        if time.monotonic() - self._checked_at < self._cache_seconds:
            return self._last
        try:
            await asyncio.wait_for(self._ask(), timeout=3)
            self._last = None
        except Exception as exc:
            self._last = f"kafka unreachable: {type(exc).__name__}"
            await self.aclose()
        self._checked_at = time.monotonic()
        return self._last

    async def _ask(self) -> None:
        if self._client is None:
            self._client = AIOKafkaClient(**self.kafka.client_options(), request_timeout_ms=2000)
            await self._client.bootstrap()  # connects and asks for the brokers
            return
        node_id = self._client.get_random_node()
        if node_id is None:
            raise KafkaConnectionError("no broker known")
        # No topics asked for: the answer names the brokers only, however many topics exist.
        await self._client.send(node_id, MetadataRequest([]))

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.close()


class BrokerWatch:
    """A background worker: asks the broker every few seconds and sets the gauge to the answer."""

    def __init__(self, probe: KafkaProbe, *, every_seconds: float = 5.0) -> None:
        self.probe = probe
        self.every_seconds = every_seconds

    async def run(self, stop: asyncio.Event) -> None:
        reachable: bool | None = None
        try:
            while not stop.is_set():
                problem = await self.probe.check()
                KAFKA_BROKER_REACHABLE.set(0 if problem else 1)
                if reachable is not None and reachable != (problem is None):
                    log.warning("%s", problem or "kafka reachable again")
                reachable = problem is None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.every_seconds)
        finally:
            await self.probe.aclose()


@dataclass(frozen=True)
class SchemaRevisions:
    """The migration revisions this code knows, and the heads it needs the database at."""

    heads: frozenset[str]
    known: frozenset[str]

    def problem(self, applied: set[str]) -> str | None:
        if not applied:
            return "database not migrated: run the service's `migrate` command"
        # A revision this code does not know is a newer release's (a rolling upgrade migrates
        # first); its migrations only ever add what this code may ignore.
        if applied == self.heads or not applied <= self.known:
            return None
        return (
            f"database migrations behind: at {', '.join(sorted(applied))}, "
            f"this code needs {', '.join(sorted(self.heads))}"
        )


async def database_problem(
    engine: AsyncEngine, revisions: SchemaRevisions | None = None
) -> str | None:
    try:
        async with asyncio.timeout(3), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            applied = await _applied_revisions(conn) if revisions else set()
    except Exception as exc:
        return f"database unreachable: {type(exc).__name__}"
    return revisions.problem(applied) if revisions else None


async def _applied_revisions(conn: AsyncConnection) -> set[str]:
    # Alembic's table is found on the search path, as the migrations made it.
    if await conn.scalar(text("SELECT to_regclass('alembic_version')")) is None:
        return set()
    return set((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars())


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database is reachable and migrated: this replica can serve HTTP",
    responses={503: {"description": "Not ready; `problems` says what is missing."}},
)
async def readyz(request: Request) -> Response:
    runtime = request.app.state.runtime
    revisions = getattr(request.app.state, "schema_revisions", None)
    problem = await database_problem(runtime.engine, revisions)
    if problem:
        return problem_response(
            request,
            503,
            f"This replica cannot serve requests now: {problem}.",
            problems=[problem],
        )
    return JSONResponse({"status": "ready"})
