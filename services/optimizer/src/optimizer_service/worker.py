"""The run worker: claims queued runs, solves each in its own process, stores the outcome.

Runs are claimed with `FOR UPDATE SKIP LOCKED` under a lease the worker renews while solving; a
run whose process died is claimed again once its lease expires. The result and its event (for
runs requested by an event) commit in one transaction, fenced by the claim.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from contracts.events.optimizer_schedules import FailureReason
from servicekit.db import ConnectOptions, UnitOfWork
from servicekit.logs import causation_id_var, correlation_id_var
from servicekit.messaging.relay import sleep_unless, wait_for_either
from servicekit.service import Runtime

from optimizer_service import results
from optimizer_service.db import runs as db
from optimizer_service.metrics import QUEUE_DEPTH, RUNS_FINISHED, RUNS_IN_PROGRESS, SOLVE_SECONDS
from optimizer_service.settings import OptimizerSettings
from optimizer_service.solving import SolvingProcess

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunWorkerConfig:
    dsn: str  # for the LISTEN connection
    database: ConnectOptions = field(default_factory=ConnectOptions)  # its TLS and timeouts
    service_name: str = "optimizer"
    log_level: str = "INFO"
    solver_workers: int = 1
    concurrency: int = 1
    max_time_limit_seconds: float = 300.0
    overrun_seconds: float = 60.0
    poll_seconds: float = 2.0
    lease_seconds: float = 30.0
    max_attempts: int = 3
    search_path: str | None = None  # tests: a schema of their own
    outcome_topic: str | None = None  # tests: a topic of their own; else the events' own
    # tests: what the solving process runs in place of `solving.solve` (a module-level function)
    solve: Callable[..., Any] | None = None

    @classmethod
    def of(cls, settings: OptimizerSettings, dsn: str, service_name: str) -> RunWorkerConfig:
        return cls(
            dsn=dsn,
            database=ConnectOptions.of(settings),
            service_name=service_name,
            log_level=settings.log_level,
            solver_workers=settings.solver_workers,
            concurrency=settings.max_concurrent_runs,
            max_time_limit_seconds=settings.max_time_limit_seconds,
            overrun_seconds=settings.solve_overrun_seconds,
            poll_seconds=settings.run_poll_seconds,
            lease_seconds=settings.run_lease_seconds,
            max_attempts=settings.run_max_attempts,
        )


def run_workers(runtime: Runtime[OptimizerSettings]) -> list[RunWorker]:
    """The service's background worker (see `ServiceDefinition.workers`)."""
    config = RunWorkerConfig.of(runtime.settings, runtime.dsn, runtime.service.name)
    return [RunWorker(config, runtime.unit_of_work)]


class RunWorker:
    def __init__(self, config: RunWorkerConfig, unit_of_work: Callable[[], UnitOfWork]) -> None:
        self.config = config
        self._unit_of_work = unit_of_work
        self._wake = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Solve runs until `stop`; a run in hand when it comes goes back to the queue."""
        listener = asyncio.create_task(self._listen(stop))
        try:
            await asyncio.gather(*(self._serve(stop) for _ in range(self.config.concurrency)))
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def _serve(self, stop: asyncio.Event) -> None:
        process = SolvingProcess(
            self.config.service_name, self.config.log_level, self.config.solve
        )
        try:
            while not stop.is_set():
                try:
                    await self._serve_one(process, stop)
                except Exception:
                    log.exception("run worker failed, retrying")
                    await sleep_unless(stop, 1.0)
        finally:
            process.close()

    async def _serve_one(self, process: SolvingProcess, stop: asyncio.Event) -> None:
        self._wake.clear()
        claim = await self._claim()
        if claim is None:
            await wait_for_either(self._wake, stop, self.config.poll_seconds)
            return
        self._wake.set()  # more may be queued: another slot should look too
        with _caused_by(claim):
            await self._work_on(claim, process, stop)

    async def _claim(self) -> db.Claim | None:
        async with self._unit_of_work() as uow:
            claim = await db.claim_next(uow.session, self.config.lease_seconds)
            QUEUE_DEPTH.set(await db.queue_depth(uow.session))
            await uow.commit()
        return claim

    async def _work_on(self, claim: db.Claim, process: SolvingProcess, stop: asyncio.Event) -> None:
        if claim.attempts > self.config.max_attempts:
            message = (
                f"gave up after {claim.attempts - 1} attempts: the solving process stopped "
                "each time before it finished"
            )
            await self._store(claim, "failed", results.failure(FailureReason.SOLVER_ERROR, message))
            return
        log.info("solving run %s (attempt %d)", claim.run_id, claim.attempts)
        solved = await self._solve_under_lease(claim, process, stop)
        if solved is None:
            await self._release(claim)
            return
        await self._store(claim, *solved)

    async def _solve_under_lease(
        self, claim: db.Claim, process: SolvingProcess, stop: asyncio.Event
    ) -> tuple[str, results.Result] | None:
        limit = min(
            float(claim.problem.get("time_limit_seconds", 30.0)),
            self.config.max_time_limit_seconds,
        )
        heartbeat = asyncio.create_task(self._renew_lease(claim))
        RUNS_IN_PROGRESS.inc()
        started = time.perf_counter()
        try:
            solved = await process.solve(
                stop,
                limit + self.config.overrun_seconds,
                claim.problem,
                claim.planner,
                self.config.solver_workers,
                self.config.max_time_limit_seconds,
                claim.seed,
            )
        finally:
            RUNS_IN_PROGRESS.dec()
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        if solved is not None:
            SOLVE_SECONDS.labels(claim.planner).observe(time.perf_counter() - started)
        return solved

    async def _renew_lease(self, claim: db.Claim) -> None:
        while True:
            await asyncio.sleep(self.config.lease_seconds / 3)
            try:
                async with self._unit_of_work() as uow:
                    held = await db.renew_lease(uow.session, claim, self.config.lease_seconds)
                    QUEUE_DEPTH.set(await db.queue_depth(uow.session))
                    await uow.commit()
            except Exception:
                log.warning("could not renew the lease of run %s", claim.run_id, exc_info=True)
                continue
            if not held:
                log.warning("run %s was claimed by another worker meanwhile", claim.run_id)
                return

    async def _store(self, claim: db.Claim, status: str, result: results.Result) -> None:
        """The result and, for an event's run, its answer: one transaction, or neither."""
        async with self._unit_of_work() as uow:
            workers = self.config.solver_workers
            if not await db.finish(uow.session, claim, status, result, workers):
                log.warning("run %s is no longer ours; its result is dropped", claim.run_id)
                return
            if claim.source == "event" and claim.request_id is not None:
                await uow.outbox.add(
                    results.event(claim.request_id, claim.run_id, status, result),
                    correlation_id=claim.correlation_id,
                    topic=self.config.outcome_topic,
                )
            await uow.commit()
        outcome = results.outcome_label(status, result)
        RUNS_FINISHED.labels(claim.source, outcome).inc()
        log.info("run %s finished: %s", claim.run_id, outcome)

    async def _release(self, claim: db.Claim) -> None:
        async with self._unit_of_work() as uow:
            await db.release(uow.session, claim)
            await uow.commit()
        log.info("run %s handed back to the queue: this process is stopping", claim.run_id)

    async def _listen(self, stop: asyncio.Event) -> None:
        """Wakes the slots when a run is queued; the poll covers the gaps while reconnecting."""
        while not stop.is_set():
            try:
                conn = await self.config.database.connect(
                    self.config.dsn, search_path=self.config.search_path
                )
                try:
                    await self._listen_on(conn, stop)
                finally:
                    await conn.close()
            except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
                log.warning("run queue listener interrupted", extra={"error": repr(exc)})
            await sleep_unless(stop, 1.0)

    async def _listen_on(self, conn: asyncpg.Connection, stop: asyncio.Event) -> None:
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _: lost.set())
        await conn.add_listener(db.RUNS_CHANNEL, lambda *_: self._wake.set())
        self._wake.set()  # whatever was queued while we were not listening
        await wait_for_either(lost, stop, None)


@contextlib.contextmanager
def _caused_by(claim: db.Claim) -> Iterator[None]:
    """Logs and the outcome event carry the correlation and cause of the run's request."""
    correlation = correlation_id_var.set(str(claim.correlation_id or claim.run_id))
    causation = causation_id_var.set(str(claim.causation_id) if claim.causation_id else None)
    try:
        yield
    finally:
        correlation_id_var.reset(correlation)
        causation_id_var.reset(causation)
