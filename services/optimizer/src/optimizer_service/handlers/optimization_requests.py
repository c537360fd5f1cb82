"""`OptimizationRequested`: queue the run, and nothing more inside the consumer's transaction."""

from __future__ import annotations

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


def register(handlers: HandlerMap, *, topic: str | None = None) -> HandlerMap:
    """`topic` overrides the request topic, for tests with a topic of their own."""
    return handlers.on(OptimizationRequested, on_optimization_requested, topic=topic)
