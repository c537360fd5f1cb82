"""`ScheduleOptimized` and `OptimizationFailed`: the optimizer's answers, kept as proposals (H4)."""

from __future__ import annotations

from servicekit.messaging.consumer import HandlerMap


def register(handlers: HandlerMap) -> HandlerMap:
    return handlers
