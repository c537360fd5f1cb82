"""Events of `scheduling.optimization-requests.v1`: whole problems for the optimizer to solve."""

from __future__ import annotations

import uuid

from pydantic import Field

from contracts.envelope import Event
from contracts.planning import OptimizationProblem
from contracts.topics import SCHEDULING_OPTIMIZATION_REQUESTS


class OptimizationRequested(Event):
    """A coordinator asked for a proposal; the problem is self-contained, nothing to look up."""

    topic = SCHEDULING_OPTIMIZATION_REQUESTS
    key_field = "request_id"

    request_id: uuid.UUID
    requested_by: uuid.UUID | None = Field(default=None, description="The user who asked.")
    problem: OptimizationProblem


EVENTS: tuple[type[Event], ...] = (OptimizationRequested,)
