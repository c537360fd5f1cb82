"""The decomposed solve: greedy baseline as hint and fallback, phase 1 (days and rooms), phase 2
(sequencing per day), repair of the cases phase 2 hands back; the best checked plan wins.

The reported bound is the better of phase 1's best bound and the pattern bound (`patterns`), each a
true lower bound of the plan objective.
"""

from __future__ import annotations

import math
import os
import time
from collections import defaultdict
from dataclasses import dataclass

from contracts.events.optimizer_schedules import FailureReason
from contracts.planning import OptimizationProblem, SolverReport, SolverStatus

from optimizer_service.domain.assignment import Assignment, Stall, assign
from optimizer_service.domain.baseline import greedy_placements
from optimizer_service.domain.deadline import Deadline
from optimizer_service.domain.facts import Facts
from optimizer_service.domain.ledger import Ledger, Placement
from optimizer_service.domain.neighbourhoods import Placements, improve
from optimizer_service.domain.outcome import Failed, Outcome
from optimizer_service.domain.patterns import pattern_bound
from optimizer_service.domain.plans import missing_mandatory
from optimizer_service.domain.preparation import Prepared, checked, prepare
from optimizer_service.domain.scoring import score
from optimizer_service.domain.sequencing import sequence_day

RESERVE_SECONDS = 0.5  # for repair, scoring and the checker, and as much again per 300 cases
RESERVE_SHARE_MAX = 0.25  # of the time limit
PATTERN_SHARE = 0.1  # of the time limit, at most, for the pattern bound
CHEAPEST_SECONDS_MIN = 2.0  # left, to sequence the cost solve's choice as well
GREEDY_SHARE = 0.4  # of the time left after setup, at most, for the greedy baseline
SEQUENCE_SECONDS_MIN = 0.05  # a day's budget below this takes its first fit unsolved
SEARCH_SHARE = 0.5  # of what phase 2 leaves: phase 1 with no solution by then stops for the search
STALL_GAIN = 0.005  # of its objective: phase 1 gaining less than this for a while stops
STALL_SHARE = 0.1  # of the time limit: how long that while is
STALL_SECONDS_MIN = 2.0  # the while, at the least
SEARCH_FROM_CASES = 200  # free cases; up to this many, phase 1's whole model keeps the time
PATTERN_PAIRS_MAX = 5_000  # (case, segment) pairs: beyond, the pattern bound is too slow to help


def solve(problem: OptimizationProblem, *, workers: int | None = None, seed: int = 0) -> Outcome:
    started = time.monotonic()
    deadline = Deadline(started + problem.time_limit_seconds)
    workers = max(1, workers or os.cpu_count() or 1)
    prepared = prepare(problem)
    if isinstance(prepared, Failed):
        return prepared
    facts = prepared.facts
    unplaceable = missing_mandatory(
        facts, {c.index for c in facts.cases if c.segments or c.locked}, prepared.reasons
    )
    if unplaceable is not None:
        return unplaceable
    finish = deadline.earlier(reserve_seconds(facts))  # for repair, scoring and the checker
    greedy = min(  # the baseline's first fit, or the one trying cheaper segments first
        (
            greedy_placements(prepared, finish.share(GREEDY_SHARE)),
            greedy_placements(prepared, finish.share(GREEDY_SHARE), by_cost=True),
        ),
        key=lambda p: (missing_mandatory(facts, p, {}) is not None, _rank(facts, p)),
    )
    greedy_failure = missing_mandatory(facts, greedy, prepared.reasons)
    patterns = _pattern_bound(facts, segment_choice(facts, greedy), finish)
    phase1 = assign(
        facts,
        prepared.locked,
        segment_choice(facts, greedy),
        deadline=_phase_one_deadline(facts, finish, 0.0),
        gap=problem.relative_gap_limit,
        workers=workers,
        seed=seed,
        stall=_stall(facts, finish, greedy_failure),
    )
    if phase1 is not None and patterns is not None:
        phase1.bound = max(phase1.bound, patterns)
    if (phase1 is not None and phase1.infeasible) or (
        phase1 is None and greedy_failure is not None
    ):
        return _without_phase_one(problem, prepared, greedy, greedy_failure, phase1, started)
    search = Search(finish, workers, seed)
    plans, placements = [greedy], greedy
    if phase1 is not None and phase1.objective != math.inf:  # else its hint, the greedy's choice
        placements = _sequence(prepared, phase1.choice, greedy, search)
        placements = repair(prepared, placements, phase1.choice, deadline)
        plans += [placements, *_cheapest(prepared, phase1, placements, greedy, search)]
    candidates = [p for p in plans if missing_mandatory(facts, p, {}) is None]
    failure = missing_mandatory(facts, placements, prepared.reasons)
    if not candidates and failure is not None:
        return failure
    best = min(candidates, key=lambda p: _rank(facts, p))
    best = improve(
        prepared,
        best,
        deadline=finish,
        rank=lambda p: _rank(facts, p),
        resequence=lambda kept, choice, until: repair(
            prepared,
            _sequence(prepared, choice, greedy, Search(until, workers, seed), start=kept),
            choice,
            until,
        ),
        workers=workers,
        seed=seed,
        good_enough=_good_enough(problem, phase1.bound if phase1 is not None else patterns),
    )
    bound = phase1.bound if phase1 is not None else patterns
    outcome = checked(problem, prepared, best, _report(facts, best, bound, started))
    if isinstance(outcome, Failed) and best is not greedy and greedy_failure is None:
        return checked(problem, prepared, greedy, _report(facts, greedy, bound, started))
    return outcome


@dataclass(frozen=True, slots=True)
class Search:
    """How phase 2 searches: until when, with how many CP-SAT workers, from which seed."""

    deadline: Deadline  # for the search itself: the checker's reserve is kept back already
    workers: int
    seed: int


def _rank(facts: Facts, placements: Placements) -> tuple[int, int]:
    """Cost first; of equal cost, the plan booking more minutes."""
    scored = score(facts, placements)
    return scored.objective, -scored.kpis.booked_minutes


def _cheapest(
    prepared: Prepared,
    phase1: Assignment,
    placements: Placements,
    greedy: Placements,
    search: Search,
) -> list[Placements]:
    """The cost solve's own choice sequenced too, when the fuller one lost cost in phase 2 and
    there is time left for it."""
    facts = prepared.facts
    left = search.deadline.left()
    if phase1.cheapest is None or score(facts, placements).objective <= phase1.objective:
        return []
    if left < CHEAPEST_SECONDS_MIN:
        return []
    sequenced = _sequence(prepared, phase1.cheapest, greedy, search)
    return [repair(prepared, sequenced, phase1.cheapest, search.deadline)]


def _pattern_bound(facts: Facts, seeds: dict[int, int], finish: Deadline) -> int | None:
    if sum(len(c.segments) for c in facts.cases) > PATTERN_PAIRS_MAX:
        return None
    seconds = min(facts.problem.time_limit_seconds, max(0.0, finish.left())) * PATTERN_SHARE
    return pattern_bound(facts, seeds, seconds=seconds)


def _phase_one_deadline(facts: Facts, finish: Deadline, search_share: float) -> Deadline:
    """What is left but phase 2's share (about 20 ms a case to sequence, and 2 s to spare) and
    the search's (`neighbourhoods`) share of the rest."""
    left = max(0.0, finish.left())
    free = sum(1 for c in facts.cases if c.segments)
    sequencing = min(0.4 * left, 2 + 0.02 * free)
    return finish.earlier(sequencing + search_share * (left - sequencing))


def _stall(facts: Facts, finish: Deadline, greedy_failure: Failed | None) -> Stall | None:
    """When phase 1's whole model hands its time over to the search from the best plan
    (`neighbourhoods`): with no solution of its own by the end of what used to be its share
    (`SEARCH_SHARE` kept for the search), or once its objective has levelled off. Never without a
    whole greedy plan (only phase 1 can find a plan or prove there is none), nor for a problem
    the whole model solves well on its own."""
    free = sum(1 for c in facts.cases if c.segments and not c.locked)
    if greedy_failure or free <= SEARCH_FROM_CASES:
        return None
    seconds = max(STALL_SECONDS_MIN, STALL_SHARE * facts.problem.time_limit_seconds)
    return Stall(_phase_one_deadline(facts, finish, SEARCH_SHARE), seconds, STALL_GAIN)


def _good_enough(problem: OptimizationProblem, bound: float | None) -> float:
    """An objective the search may stop at: the bound, within the gap the problem asks for."""
    if bound is None:
        return 0.0
    return bound / max(1e-9, 1 - problem.relative_gap_limit)


def reserve_seconds(facts: Facts) -> float:
    """Kept back for repair, scoring and the checker; at most a quarter of the time limit, so a
    short limit still leaves the greedy time to place optional cases."""
    wanted = RESERVE_SECONDS * (1 + len(facts.cases) / 300)
    return min(wanted, RESERVE_SHARE_MAX * facts.problem.time_limit_seconds)


def segment_choice(facts: Facts, placements: dict[int, Placement]) -> dict[int, int]:
    """The segment each placed free case lies in."""
    choice = {}
    for c, p in placements.items():
        case = facts.cases[c]
        if case.locked:
            continue
        for s in case.segments:
            seg = facts.segments[s]
            if (
                seg.room == p.room
                and seg.start <= p.start - case.setup
                and p.start + case.occupied - case.setup <= seg.end
            ):
                choice[c] = s
                break
    return choice


def _sequence(
    prepared: Prepared,
    choice: dict[int, int],
    greedy: Placements,
    search: Search,
    *,
    start: Placements | None = None,
) -> Placements:
    """Phase 2, a day at a time: each day keeps what is placed already and reaches into it.
    `start`: what is placed already (the locked cases when None), left as it is."""
    facts = prepared.facts
    placements = dict(prepared.locked if start is None else start)
    by_day: dict[int, dict[int, int]] = defaultdict(dict)
    for c, s in (_booked_left_out(facts, choice) | choice).items():
        if c not in placements:
            by_day[facts.segments[s].day][c] = s
    left = sum(len(cases) for cases in by_day.values())
    for day in sorted(by_day):
        cases = by_day[day]
        budget = search.deadline.left() * len(cases) / max(1, left)
        left -= len(cases)
        fixed = [p for p in placements.values() if reaches_into(facts, p, day)]
        hint = day_first_fit(prepared, fixed, cases, greedy)
        if budget < SEQUENCE_SECONDS_MIN:  # out of time: the day as first fit placed it
            placements |= hint
            continue
        placements |= sequence_day(
            facts, day, cases, fixed, hint, seconds=budget, workers=search.workers, seed=search.seed
        )
    return placements


def _booked_left_out(facts: Facts, choice: dict[int, int]) -> dict[int, int]:
    """Booked cases phase 1 left out, each in the segment of its booking: phase 2 may keep them
    and leave out another instead. Phase 1 knows room-days, not starts; which of equally priced
    booked cases makes way is a question of starts (an emergency's start delay, say)."""
    left_out = {
        c.index: Placement(c.index, c.booked.room, c.booked.start, c.booked.end, (), ())
        for c in facts.cases
        if c.booked is not None and not c.locked and c.index not in choice
    }
    return segment_choice(facts, left_out)


def reaches_into(facts: Facts, p: Placement, day: int) -> bool:
    """Whether a placement's room, people or units are busy on a day (turnaround included)."""
    c = facts.cases[p.case].case
    turnaround = max((facts.unit_turnaround[u] for u in p.units), default=0)
    start, end = p.start - c.setup_minutes, p.end + max(c.cleanup_minutes, turnaround)
    return start < facts.timeline.day_starts[day + 1] and end > facts.timeline.day_starts[day]


def day_first_fit(
    prepared: Prepared, fixed: list[Placement], cases: dict[int, int], greedy: Placements
) -> Placements:
    """The day's cases first fit into their phase 1 segments (else another of the day), in the
    greedy's order where it had them: a whole feasible day for phase 2 to start from."""
    facts = prepared.facts
    ledger = Ledger(facts)
    for p in fixed:
        ledger.book(p)
    placed = {}
    order = sorted(cases, key=lambda c: (cases[c], greedy[c].start if c in greedy else 10**9, c))
    for c in order:
        case, chosen = facts.cases[c], facts.segments[cases[c]]
        others = [facts.segments[s] for s in case.segments if facts.segments[s].day == chosen.day]
        placement = ledger.first_fit(case, [chosen, *(g for g in others if g != chosen)])
        if placement is not None:
            ledger.book(placement)
            placed[c] = placement
    return placed


def repair(
    prepared: Prepared,
    placements: dict[int, Placement],
    choice: dict[int, int],
    deadline: Deadline | None = None,
) -> Placements:
    """First fit, anywhere it may go, for each case phase 1 chose but phase 2 could not place;
    past `deadline`, only the mandatory ones (they come first)."""
    facts = prepared.facts
    ledger = Ledger(facts)
    for p in placements.values():
        ledger.book(p)
    dropped = [facts.cases[c] for c in choice if c not in placements]
    late_day = facts.problem.objective_weights.late_day
    for case in sorted(dropped, key=lambda c: (not c.mandatory, -c.unscheduled_cost)):
        if not case.mandatory and deadline is not None and deadline.passed():
            break
        segments = sorted(
            (facts.segments[s] for s in case.segments),
            key=lambda g: (case.day_cost(g.day, late_day), g.day, g.room, g.start),
        )
        placement = ledger.first_fit(case, segments)
        if placement is not None:
            ledger.book(placement)
            placements[case.index] = placement
    return placements


def _report(
    facts: Facts, placements: Placements, bound: float | None, started: float
) -> SolverReport:
    objective = score(facts, placements).objective
    bound = min(objective, bound) if bound is not None else 0
    gap = (objective - bound) / max(1, abs(objective))
    return SolverReport(
        status=SolverStatus.OPTIMAL if objective <= bound else SolverStatus.FEASIBLE,
        objective=objective,
        best_bound=bound,
        gap=round(gap, 6),
        wall_time_seconds=round(time.monotonic() - started, 3),
    )


def _without_phase_one(
    problem: OptimizationProblem,
    prepared: Prepared,
    greedy: Placements,
    greedy_failure: Failed | None,
    phase1: Assignment | None,
    started: float,
) -> Outcome:
    if phase1 is not None:  # proven infeasible: name the mandatory cases the greedy could not place
        failed = greedy_failure or missing_mandatory(prepared.facts, {}, prepared.reasons)
        if failed is None:  # nothing mandatory, so not proven infeasible after all: the greedy's
            return checked(problem, prepared, greedy, _report(prepared.facts, greedy, 0, started))
        return Failed(
            FailureReason.INFEASIBLE,
            "the mandatory cases do not fit: " + failed.message,
            failed.details,
        )
    if greedy_failure is None:
        return checked(problem, prepared, greedy, _report(prepared.facts, greedy, None, started))
    return Failed(  # naming the mandatory cases the greedy could not place either
        FailureReason.NO_SOLUTION_IN_TIME_LIMIT,
        "no plan with every mandatory case was found in the time limit",
        greedy_failure.details,
    )
