"""What a coordinator asks an optimization to plan: the command the planning use cases take.

Routes build it from the request (`api/schemas/optimizations.py`); `planning_problem` and
`planning_cases` both read it, so it lives apart from either of them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from contracts.planning import ObjectiveWeights


@dataclass(frozen=True, slots=True)
class Ask:
    """What a coordinator asked to plan; None means "the default" (see the module)."""

    first: date
    last: date
    room_ids: tuple[uuid.UUID, ...] | None = None
    surgery_ids: tuple[uuid.UUID, ...] | None = None
    locked_ids: frozenset[uuid.UUID] = frozenset()
    respect_blocks: bool = True
    time_limit_seconds: float = 30.0
    objective_weights: ObjectiveWeights = field(default_factory=ObjectiveWeights)
    # A case's own prices, where it has them (see `PlanningCase.move_weight`, ...start_delay...).
    move_weights: Mapping[uuid.UUID, int] = field(default_factory=dict)
    start_delays: Mapping[uuid.UUID, int] = field(default_factory=dict)
