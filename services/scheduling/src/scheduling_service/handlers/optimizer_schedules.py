"""`ScheduleOptimized` and `OptimizationFailed`: the optimizer's answers, kept as proposals.

Only an optimization still waiting (`requested`) takes an answer. A redelivery is already
dropped by the consumer's record of processed event ids; an answer to a request this service
never made, or to one answered (or decided) before, changes nothing either.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from contracts.envelope import Envelope
from contracts.events.optimizer_schedules import OptimizationFailed, ScheduleOptimized
from servicekit.messaging.consumer import HandlerMap
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service import metrics
from scheduling_service.db.tables import optimizations

log = logging.getLogger(__name__)


async def on_schedule_optimized(
    session: AsyncSession, event: ScheduleOptimized, _: Envelope
) -> None:
    await _answer(
        session,
        event.request_id,
        status="proposed",
        run_id=event.run_id,
        plan=event.plan.model_dump(mode="json"),
        solver=event.solver.model_dump(mode="json"),
    )


async def on_optimization_failed(
    session: AsyncSession, event: OptimizationFailed, _: Envelope
) -> None:
    await _answer(
        session,
        event.request_id,
        status="failed",
        run_id=event.run_id,
        failure={
            "reason": event.reason.value,
            "message": event.message,
            "details": [d.model_dump(mode="json") for d in event.details],
        },
    )


async def _answer(
    session: AsyncSession, request_id: uuid.UUID, *, status: str, **values: Any
) -> None:
    answered = await session.scalar(
        update(optimizations)
        .where(optimizations.c.request_id == request_id, optimizations.c.status == "requested")
        .values(
            status=status, answered_at=func.now(), version=optimizations.c.version + 1, **values
        )
        .returning(optimizations.c.request_id)
    )
    if answered is not None:
        metrics.OPTIMIZATIONS.labels(status).inc()
    else:
        # Another scheduling deployment's request, a second answer to one of ours, or a late
        # answer to one rejected while it waited.
        log.info(
            "optimizer answer for request %s ignored: unknown, answered or decided", request_id
        )


def register(handlers: HandlerMap) -> HandlerMap:
    return handlers.on(ScheduleOptimized, on_schedule_optimized).on(
        OptimizationFailed, on_optimization_failed
    )
