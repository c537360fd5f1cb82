"""Optimization runs as the API and the consumer see them: queue one, wait for it, read them.

Solving happens elsewhere (`worker`): here a run is only recorded, so neither a request nor a
partition of the request topic is ever held for a solver's time limit.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contracts.envelope import Envelope
from contracts.events.optimizer_schedules import FailureReason
from contracts.events.scheduling_optimization_requests import OptimizationRequested
from contracts.planning import OptimizationProblem
from servicekit.db import UnitOfWork
from servicekit.ids import uuid_or_none
from servicekit.logs import correlation_id_var
from servicekit.messaging.outbox import OutboxWriter
from servicekit.problems import Problem
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from optimizer_service import results
from optimizer_service.db import runs as db
from optimizer_service.settings import OptimizerSettings

SERVICE_NAME = "optimizer"


@dataclass(frozen=True, slots=True)
class RunFilter:
    status: str | None = None
    source: str | None = None


async def queue_requested(
    session: AsyncSession, event: OptimizationRequested, envelope: Envelope
) -> None:
    """Records the request's run; the same request arriving again adds nothing."""
    await db.insert_run(
        session,
        db.NewRun(
            source="event",
            problem=event.problem.model_dump(mode="json"),
            request_id=event.request_id,
            requested_by=event.requested_by,
            correlation_id=envelope.correlation_id,
            causation_id=envelope.event_id,
        ),
    )


async def refuse_invalid_request(
    session: AsyncSession, document: dict[str, Any], error: Exception, *, topic: str | None = None
) -> None:
    """A request that breaks the contract is answered `OptimizationFailed(invalid_problem)`, so
    its sender is not left waiting; without a readable `request_id` there is nobody to answer."""
    found = document.get("data")
    data: dict[str, Any] = found if isinstance(found, dict) else {}
    request_id = uuid_or_none(data.get("request_id"))
    if request_id is None:
        return
    result = results.failure(FailureReason.INVALID_PROBLEM, f"The request is invalid: {error}")
    problem = data.get("problem")
    run_id = await db.insert_run(
        session,
        db.NewRun(
            source="event",
            problem=problem if isinstance(problem, dict) else {},
            request_id=request_id,
            correlation_id=uuid_or_none(document.get("correlation_id")),
            causation_id=uuid_or_none(document.get("event_id")),
        ),
        refused_with=result,
    )
    if run_id is not None:
        outbox = OutboxWriter(session, producer=SERVICE_NAME)
        await outbox.add(results.event(request_id, run_id, "failed", result), topic=topic)


async def submit(
    unit_of_work: Callable[[], UnitOfWork],
    settings: OptimizerSettings,
    problem: OptimizationProblem,
    *,
    planner: str,
    requested_by: str,
    wait: bool,
    seed: int = 0,
) -> Row[Any]:
    """Queues a what-if run; with `wait`, returns once it finished or its wait ran out.

    The run is committed on its own before any waiting, so the worker can take it at once.
    """
    async with unit_of_work() as uow:
        run_id = await db.insert_run(
            uow.session,
            db.NewRun(
                source="http",
                problem=problem.model_dump(mode="json"),
                planner=planner,
                requested_by=uuid_or_none(requested_by),
                correlation_id=uuid_or_none(correlation_id_var.get()),
                seed=seed,
            ),
        )
        await uow.commit()
    assert run_id is not None  # only event runs can collide
    if wait:
        await _until_finished(unit_of_work, run_id, _wait_seconds(problem, settings), settings)
    async with unit_of_work() as uow:
        return await get(uow.session, run_id)


def _wait_seconds(problem: OptimizationProblem, settings: OptimizerSettings) -> float:
    limit = min(problem.time_limit_seconds, settings.max_time_limit_seconds)
    return min(limit + settings.wait_margin_seconds, settings.max_wait_seconds)


async def _until_finished(
    unit_of_work: Callable[[], UnitOfWork],
    run_id: uuid.UUID,
    seconds: float,
    settings: OptimizerSettings,
) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        async with unit_of_work() as uow:
            if await db.status_of(uow.session, run_id) in db.FINISHED:
                return
        await asyncio.sleep(settings.wait_poll_seconds)


async def get(session: AsyncSession, run_id: uuid.UUID) -> Row[Any]:
    row = await db.find(session, run_id)
    if row is None:
        raise Problem(404, f"There is no optimization run {run_id}.")
    return row


async def list_runs(
    session: AsyncSession, where: RunFilter, offset: int, limit: int
) -> tuple[list[Row[Any]], int]:
    return await db.page(session, where.status, where.source, offset, limit)
