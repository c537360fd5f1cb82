"""Large-neighbourhood search from the best plan, with the time the phases leave.

A window of a few days is planned again, the rest of the plan kept as it stands: phase 1 for the
cases placed in the window and the cases left out that may go there (each only on the window's
days), phase 2 for the window's days, and repair. Phase 1's budgets are per day and its rooms per
segment, so the days outside the window neither constrain nor are constrained by it (phase 2
still sees what reaches in across midnight). The new plan is kept when its objective (the one
every planner is judged by) falls. Windows move on by half their width and wrap around, so a
case can travel further than one window over the rounds. A window that holds the whole horizon
makes this the whole problem again, from the best plan: what a short problem does with the time
phase 2 did not need.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from optimizer_service.domain.assignment import Scope, assign
from optimizer_service.domain.deadline import Deadline
from optimizer_service.domain.ledger import Placement
from optimizer_service.domain.plans import missing_mandatory
from optimizer_service.domain.preparation import Prepared

Placements = dict[int, Placement]
WINDOW_CASES = 60  # free cases a window holds, about: phase 1 solves that many in seconds
WINDOW_SECONDS_MIN = 1.0  # left, the least worth another window
WINDOW_SECONDS_MAX = 5.0  # phase 1's time for one window, at most
SEQUENCE_SECONDS = 0.3  # phase 2's time per window day, at most (it stops early when it can)


def improve(
    prepared: Prepared,
    plan: Placements,
    *,
    deadline: Deadline,
    rank: Callable[[Placements], tuple[int, int]],
    resequence: Callable[[Placements, dict[int, int], Deadline], Placements],
    workers: int,
    seed: int,
    good_enough: float = 0.0,
) -> Placements:
    """The best plan found from `plan` by `deadline` (`plan` itself when none is better); it
    stops early at an objective of `good_enough` or less (the bound, within the gap asked for),
    and when the time left is less than half what the last window took (a window's phase 1
    shrinks to the time there is, its sequencing does not)."""
    facts = prepared.facts
    days = facts.timeline.days
    free = sum(1 for c in facts.cases if c.segments and not c.locked)
    if not free or days < 1:
        return plan
    width = max(1, min(days, round(WINDOW_CASES * days / free)))
    stride = max(1, width // 2)
    best, best_rank = plan, rank(plan)
    first, took = 0, 0.0
    while deadline.left() >= max(WINDOW_SECONDS_MIN, took / 2) and best_rank[0] > good_enough:
        started = time.monotonic()
        window = {(first + d) % days for d in range(width)}
        first = (first + stride) % days if width < days else 0
        candidate = _replan(prepared, best, window, deadline, resequence, workers, seed)
        took = time.monotonic() - started
        if candidate is None:
            continue
        candidate_rank = rank(candidate)
        if candidate_rank < best_rank:
            best, best_rank = candidate, candidate_rank
    return best


def _replan(
    prepared: Prepared,
    plan: Placements,
    window: set[int],
    deadline: Deadline,
    resequence: Callable[[Placements, dict[int, int], Deadline], Placements],
    workers: int,
    seed: int,
) -> Placements | None:
    facts = prepared.facts
    scope: Scope = {}
    hint: dict[int, int] = {}
    for case in facts.cases:
        if case.locked or not case.segments:
            continue
        placed = plan.get(case.index)
        if placed is not None and facts.timeline.day_of(placed.start) not in window:
            continue
        inside = [s for s in case.segments if facts.segments[s].day in window]
        if placed is not None:
            segment = _segment_of(prepared, case.index, placed, inside)
            if segment is None:  # not in one of its segments: leave it where it is
                continue
            hint[case.index] = segment
        if inside:
            scope[case.index] = inside
    if not scope:
        return None
    window_days = len(window)
    sequencing = min(SEQUENCE_SECONDS * window_days, 0.3 * deadline.left())
    solving = min(WINDOW_SECONDS_MAX, deadline.left() - sequencing)
    if solving < WINDOW_SECONDS_MIN / 2:
        return None
    found = assign(
        facts,
        prepared.locked,
        hint,
        deadline=Deadline.after(solving),
        gap=0.0,
        workers=workers,
        seed=seed,
        scope=scope,
    )
    if found is None or found.infeasible:
        return None
    kept = {c: p for c, p in plan.items() if c not in scope}
    sequenced = resequence(
        kept, found.choice, Deadline(min(deadline.at, time.monotonic() + sequencing))
    )
    if missing_mandatory(facts, sequenced, {}) is not None:
        return None
    return sequenced


def _segment_of(prepared: Prepared, c: int, placed: Placement, segments: list[int]) -> int | None:
    case = prepared.facts.cases[c]
    for s in segments:
        seg = prepared.facts.segments[s]
        if (
            seg.room == placed.room
            and seg.start <= placed.start - case.setup
            and placed.start + case.occupied - case.setup <= seg.end
        ):
            return s
    return None
