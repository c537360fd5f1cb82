"""An optimizer of its own per test: its schema, request and outcome topics, and workers.

The consumer, relay and run worker are the service's own classes, pointed at a fresh schema and
fresh topics, so tests never see each other's runs or events.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer
from contracts.envelope import Envelope
from contracts.events.scheduling_optimization_requests import OptimizationRequested
from contracts.planning import OptimizationProblem
from optimizer_service.db.tables import metadata
from optimizer_service.handlers import optimization_requests
from optimizer_service.worker import RunWorker, RunWorkerConfig
from servicekit.db import UnitOfWork, asyncpg_dsn
from servicekit.kafka import create_consumer, create_producer
from servicekit.messaging.consumer import ConsumerConfig, HandlerMap, IdempotentConsumer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from tests.conftest import KAFKA, KIT_DATABASE_URL
from tests.integration.conftest import publish_envelopes
from tests.integration.servicekit.effects import make_relay


async def create_optimizer_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)


def request(problem: OptimizationProblem) -> OptimizationRequested:
    return OptimizationRequested(
        request_id=uuid.uuid4(), requested_by=uuid.uuid4(), problem=problem
    )


def envelope_of(event: OptimizationRequested) -> Envelope:
    return Envelope.wrap(event, producer="scheduling", correlation_id=uuid.uuid4())


@dataclass
class Optimizer:
    """One test's optimizer: where requests go in and outcomes come out."""

    engine: AsyncEngine
    schema: str
    requests: str
    outcomes: str
    group: str = field(default_factory=lambda: f"optimizer-{uuid.uuid4().hex[:8]}")

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(async_sessionmaker(self.engine, expire_on_commit=False), "optimizer")

    def worker(self, **overrides: Any) -> RunWorker:
        config = RunWorkerConfig(
            dsn=asyncpg_dsn(KIT_DATABASE_URL),
            search_path=self.schema,
            outcome_topic=self.outcomes,
            poll_seconds=0.5,
            **overrides,
        )
        return RunWorker(config, self.unit_of_work)

    def consumer(self) -> IdempotentConsumer:
        handlers = optimization_requests.register(
            HandlerMap(), topic=self.requests, outcome_topic=self.outcomes
        )
        return IdempotentConsumer(
            ConsumerConfig(group_id=self.group, kafka=KAFKA, client_id="tests"),
            handlers,
            async_sessionmaker(self.engine, expire_on_commit=False),
            lambda: create_consumer(KAFKA, self.requests, group_id=self.group, client_id="tests"),
            lambda: create_producer(KAFKA, client_id="tests"),
        )

    @asynccontextmanager
    async def running(self, *, worker: bool = True, **overrides: Any) -> AsyncIterator[None]:
        """The consumer and the relay, and the run worker unless told otherwise."""
        workers = [self.consumer(), make_relay(KIT_DATABASE_URL, self.schema, KAFKA)]
        if worker:
            workers.append(self.worker(**overrides))
        stop = asyncio.Event()
        tasks = [asyncio.create_task(w.run(stop)) for w in workers]
        try:
            yield
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)

    async def publish(self, *envelopes: Envelope) -> None:
        await publish_envelopes(
            self.requests, envelopes, key="request_id", client_id="tests-scheduling"
        )

    async def outcomes_for(
        self, request_id: uuid.UUID, *, at_least: int = 1, timeout: float = 60
    ) -> list[tuple[str, Envelope]]:
        """(key, envelope) of the outcome messages about `request_id`, once `at_least` arrived."""
        consumer = AIOKafkaConsumer(
            self.outcomes, **KAFKA.client_options(), auto_offset_reset="earliest"
        )
        await consumer.start()
        found: list[tuple[str, Envelope]] = []
        deadline = asyncio.get_running_loop().time() + timeout
        try:
            while len(found) < at_least:
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(f"{len(found)} outcomes for {request_id} in {timeout}s")
                batch = await consumer.getmany(timeout_ms=500)
                for record in (r for records in batch.values() for r in records):
                    envelope = Envelope.model_validate(json.loads(record.value))
                    if envelope.data.get("request_id") == str(request_id):
                        found.append((record.key.decode(), envelope))
        finally:
            await consumer.stop()
        return found

    async def runs(self, request_id: uuid.UUID) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT * FROM optimization_runs WHERE request_id = :id"), {"id": request_id}
            )
            return [dict(row._mapping) for row in rows]
