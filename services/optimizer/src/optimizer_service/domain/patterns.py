"""A lower bound from room-day patterns (Dantzig-Wolfe column generation), stronger than phase 1's.

A pattern is a set of cases that fits one segment's minutes. The master LP chooses at most one
pattern per segment (fractionally), covers each case once or pays its unscheduled cost, opens
room-days, keeps the day budgets of phase 1 and prices a surgeon's extra rooms. Patterns are
priced exactly by a knapsack over the case minutes, so at every round the LP value plus each
segment's most negative reduced cost is a true lower bound (Lagrangian bound). Moves are left
out (their cost is never negative). Used only when every room-day is one segment and no case is
locked; otherwise there is no pattern bound.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp

from optimizer_service.domain import capacities as cap
from optimizer_service.domain.assignment import constant_cost, placement_cost
from optimizer_service.domain.facts import CaseFacts, Facts
from optimizer_service.domain.knapsack import Item, cheapest_pattern

SAFETY = 1e-6  # relative slack against the LP's floating-point tolerance


@dataclass(slots=True)
class _Master:
    lp: pywraplp.Solver
    cover: dict[int, pywraplp.Constraint] = field(default_factory=dict)
    link: dict[int, pywraplp.Constraint] = field(default_factory=dict)
    budget: dict[cap.BudgetKey, pywraplp.Constraint] = field(default_factory=dict)
    extra: dict[tuple[int, int], pywraplp.Constraint] = field(default_factory=dict)
    seen: set[tuple[int, tuple[int, ...]]] = field(default_factory=set)


def pattern_bound(facts: Facts, seeds: dict[int, int], *, seconds: float) -> int | None:
    """The best lower bound proven within `seconds`, or None when it does not apply."""
    if not _applies(facts):
        return None
    deadline = time.monotonic() + seconds
    free = [c for c in facts.cases if c.segments]
    master = _master(facts, free)
    by_segment: dict[int, list[int]] = defaultdict(list)
    for c, s in seeds.items():
        by_segment[s].append(c)
    for s, cases in by_segment.items():
        _add_column(facts, master, s, tuple(sorted(cases)))
    best: int | None = None
    while time.monotonic() < deadline:
        if master.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return best
        value: float = master.lp.Objective().Value()
        priced = [_price(facts, master, s, free) for s in range(len(facts.segments))]
        bound = value + sum(min(0.0, rc) for rc, _ in priced)
        bound = math.ceil(bound - SAFETY * (1 + abs(bound))) + constant_cost(facts, {})
        best = bound if best is None else max(best, bound)
        known = len(master.seen)
        for s, (rc, pattern) in enumerate(priced):
            if rc < -1e-6:
                _add_column(facts, master, s, pattern)
        if len(master.seen) == known:  # converged, up to the LP's tolerance
            return best
    return best


def _applies(facts: Facts) -> bool:
    room_days = {(g.room, g.day) for g in facts.segments}
    return len(room_days) == len(facts.segments) and not any(c.locked for c in facts.cases)


def _master(facts: Facts, free: list[CaseFacts]) -> _Master:
    lp = pywraplp.Solver.CreateSolver("GLOP")
    w = facts.problem.objective_weights
    master = _Master(lp)
    objective = lp.Objective()
    for case in free:
        row = master.cover[case.index] = lp.Constraint(1, 1)
        # a mandatory case may be left out only at a price no plan pays: still a relaxation
        left_out = lp.NumVar(0, 1, f"u{case.index}")
        row.SetCoefficient(left_out, 1)
        price = case.unscheduled_cost if not case.mandatory else 100 * w.unscheduled_emergency
        objective.SetCoefficient(left_out, price)
    for s, seg in enumerate(facts.segments):
        row = master.link[s] = lp.Constraint(-lp.infinity(), 0)
        opened = lp.NumVar(0, 1, f"y{s}")
        row.SetCoefficient(opened, -1)
        objective.SetCoefficient(opened, w.room_day + w.idle_minute * seg.length)
    pairs = [(case, facts.segments[s].day) for case in free for s in case.segments]
    for key, minutes in cap.day_budgets(facts, pairs, {}).items():
        master.budget[key] = lp.Constraint(-lp.infinity(), minutes)
    for case, day in pairs:
        surgeon_day = (case.surgeon, day)
        if surgeon_day not in master.extra:
            row = master.extra[surgeon_day] = lp.Constraint(-lp.infinity(), 1)
            more = lp.NumVar(0, lp.infinity(), f"e{surgeon_day}")
            row.SetCoefficient(more, -1)
            objective.SetCoefficient(more, w.surgeon_extra_room)
    objective.SetMinimization()
    return master


def _add_column(facts: Facts, master: _Master, s: int, cases: tuple[int, ...]) -> None:
    if (s, cases) in master.seen or not cases:
        return
    master.seen.add((s, cases))
    lp, day = master.lp, facts.segments[s].day
    column = lp.NumVar(0, 1, f"p{len(master.seen)}")
    cost = 0
    usage: dict[cap.BudgetKey, int] = defaultdict(int)
    for c in cases:
        case = facts.cases[c]
        cost += _item_cost(facts, case, s)
        master.cover[c].SetCoefficient(column, 1)
        for key in cap.budget_keys(case, day):
            usage[key] += cap.minutes_used(facts, case, key)
    for key, minutes in usage.items():
        master.budget[key].SetCoefficient(column, minutes)
    for surgeon in {facts.cases[c].surgeon for c in cases}:
        master.extra[surgeon, day].SetCoefficient(column, 1)
    master.link[s].SetCoefficient(column, 1)
    lp.Objective().SetCoefficient(column, cost)


def _item_cost(facts: Facts, case: CaseFacts, s: int) -> int:
    return placement_cost(facts, case, s) - facts.problem.objective_weights.idle_minute * (
        case.occupied
    )


def _price(
    facts: Facts, master: _Master, s: int, free: list[CaseFacts]
) -> tuple[float, tuple[int, ...]]:
    """The segment's most negative reduced cost and its pattern."""
    seg = facts.segments[s]
    items = []
    for case in free:
        if s not in case.segments:
            continue
        reduced = _item_cost(facts, case, s) - master.cover[case.index].dual_value()
        for key in cap.budget_keys(case, seg.day):
            reduced -= cap.minutes_used(facts, case, key) * master.budget[key].dual_value()
        if reduced < -1e-9:
            items.append(Item(case.index, case.occupied, reduced, case.surgeon))
    charges = {
        surgeon: -master.extra[surgeon, seg.day].dual_value()
        for surgeon in {i.group for i in items}
    }
    rc, cases = cheapest_pattern(items, seg.length, charges)
    return rc - master.link[s].dual_value(), cases
