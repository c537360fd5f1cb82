"""Large-neighbourhood search from the best plan, with the time the phases leave.

A window of a few days is planned again, the rest of the plan kept as it stands: phase 1 for the
cases placed in the window and some of the cases left out that may go there (each only on the
window's days), phase 2 for the window's days, and repair. Phase 1's budgets are per day and its
rooms per segment, so the days outside the window neither constrain nor are constrained by it
(phase 2 still sees what reaches in across midnight). The new plan is kept when its objective
(the one every planner is judged by) falls.

A window offers a place to at most `LEFT_OUT_MAX` left-out cases, a different slice each round:
with demand above capacity nearly every left-out case may go to every window, and all of them
(about 280 on 20 days x 1,000 cases) made each window's model too big for its seconds; the rest
stay left out this round. Windows lie side by side over the horizon, then the next lap shifts
them by half their width and wraps around, so a short search still sees every day once (windows
that overlapped by half from the first spent a busy minute on the first third of four weeks) and
a case can cross the last lap's borders. A window that holds the whole horizon makes this the
whole problem again, from the best plan: what a short problem does with the time phase 2 did not
need.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator

from optimizer_service.domain.assignment import Scope, assign
from optimizer_service.domain.deadline import Deadline
from optimizer_service.domain.ledger import Placement
from optimizer_service.domain.plans import missing_mandatory
from optimizer_service.domain.preparation import Prepared

Placements = dict[int, Placement]
WINDOW_CASES = 60  # free cases a window holds, about: phase 1 solves that many in seconds
LEFT_OUT_MAX = 30  # left-out cases a window offers a place, at most
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
    free = [c.index for c in facts.cases if c.segments and not c.locked]
    if not free or days < 1:
        return plan
    width = max(1, min(days, round(WINDOW_CASES * days / len(free))))
    firsts = _window_starts(days, width)
    best, best_rank = plan, rank(plan)
    took, rounds = 0.0, 0
    while deadline.left() >= max(WINDOW_SECONDS_MIN, took / 2) and best_rank[0] > good_enough:
        started = time.monotonic()
        first = next(firsts)
        window = {(first + d) % days for d in range(width)}
        candidate = _replan(prepared, best, window, rounds, deadline, resequence, workers, seed)
        rounds += 1
        took = time.monotonic() - started
        if candidate is None:
            continue
        candidate_rank = rank(candidate)
        if candidate_rank < best_rank:
            best, best_rank = candidate, candidate_rank
    return best


def _window_starts(days: int, width: int) -> Iterator[int]:
    """Each lap covers the horizon side by side (a short search still sees every day once), the
    next lap shifted by half a window, so a case can cross the last lap's borders."""
    shift = max(1, width // 2)
    for lap in itertools.count():
        offset = (lap * shift) % width
        yield from range(offset, days, width) if width < days else [0]


def _replan(
    prepared: Prepared,
    plan: Placements,
    window: set[int],
    round_: int,
    deadline: Deadline,
    resequence: Callable[[Placements, dict[int, int], Deadline], Placements],
    workers: int,
    seed: int,
) -> Placements | None:
    facts = prepared.facts
    scope: Scope = {}
    hint: dict[int, int] = {}
    left_out: Scope = {}
    for case in facts.cases:
        if case.locked or not case.segments:
            continue
        placed = plan.get(case.index)
        if placed is not None and facts.timeline.day_of(placed.start) not in window:
            continue
        inside = [s for s in case.segments if facts.segments[s].day in window]
        if not inside:
            continue
        if placed is None:
            left_out[case.index] = inside
            continue
        segment = _segment_of(prepared, case.index, placed, inside)
        if segment is not None:  # else not in one of its segments: leave it where it is
            hint[case.index] = segment
            scope[case.index] = inside
    scope |= _offered(prepared, left_out, round_)
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


def _offered(prepared: Prepared, left_out: Scope, round_: int) -> Scope:
    """At most `LEFT_OUT_MAX` of the left-out cases, the mandatory ones first, then a slice that
    moves on each round through the rest, dearest first, so every case gets its turn."""
    cases = prepared.facts.cases
    order = sorted(left_out, key=lambda c: (not cases[c].mandatory, -cases[c].unscheduled_cost, c))
    if len(order) <= LEFT_OUT_MAX:
        return left_out
    mandatory = [c for c in order if cases[c].mandatory][:LEFT_OUT_MAX]
    rest = order[len(mandatory) :]
    room = LEFT_OUT_MAX - len(mandatory)
    offset = (round_ * room) % len(rest) if rest else 0
    chosen = mandatory + (rest[offset:] + rest[:offset])[:room]
    return {c: left_out[c] for c in chosen}


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
