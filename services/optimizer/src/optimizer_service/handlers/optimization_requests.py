"""`OptimizationRequested`: queue the run, and nothing more inside the consumer's transaction."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Envelope
from contracts.events.scheduling_optimization_requests import OptimizationRequested
from servicekit.messaging.consumer import HandlerMap
from sqlalchemy.ext.asyncio import AsyncSession

from optimizer_service import runs


async def on_optimization_requested(
    session: AsyncSession, event: OptimizationRequested, envelope: Envelope
) -> None:
    # Solving here would hold the partition for the whole time limit; the run worker solves.
    await runs.queue_requested(session, event, envelope)


def register(
    handlers: HandlerMap, *, topic: str | None = None, outcome_topic: str | None = None
) -> HandlerMap:
    """`topic` and `outcome_topic` override the events' own topics, for tests."""

    async def on_invalid_optimization_request(
        session: AsyncSession, document: dict[str, Any], error: Exception
    ) -> None:
        # The message is dead-lettered as well; this only tells its sender.
        await runs.refuse_invalid_request(session, document, error, topic=outcome_topic)

    return handlers.on(
        OptimizationRequested,
        on_optimization_requested,
        topic=topic,
        on_invalid=on_invalid_optimization_request,
    )
