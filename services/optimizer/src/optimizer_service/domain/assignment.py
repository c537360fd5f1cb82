"""Phase 1: assign cases to room segments of a day, over aggregated capacities (CP-SAT).

A relaxation of the full problem: rooms are knapsacks per segment (no fuller than the fullest
subset sum of what may go there), a room-day is open when any case is in it, and surgeons, staff
roles and equipment types are minute budgets per day (units with their turnaround; only the time
after the least setup and before the least cleanup counts). Its objective equals the plan
objective for every sequenced plan that realises it (off-block and moves are counted no higher),
so its best bound is a true lower bound of the plan objective. With two workers or more, the
full-problem worker is CP-SAT's `max_lp` (every cut), since its bound is what gets reported.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from optimizer_service.domain import capacities as cap
from optimizer_service.domain.calendar import case_owners
from optimizer_service.domain.deadline import Deadline
from optimizer_service.domain.facts import CaseFacts, Facts
from optimizer_service.domain.ledger import Placement

Choice = dict[int, int]  # case index -> segment index
Vars = dict[tuple[int, int], cp_model.IntVar]  # (case, segment) -> chosen
Terms = list[cp_model.LinearExprT]  # of the objective
Scope = dict[int, Sequence[int]]  # case index -> the segments it may be chosen for
FULLER_SECONDS_MIN = 0.5  # left by the cost solve, the least worth a booked-minutes tie-break on
SOLVE_SECONDS_MIN = 0.1  # left once the model is built, the least worth a solve


@dataclass(frozen=True, slots=True)
class Stall:
    """When a solve that a search could carry on from gives up before its deadline: with no
    solution by `first`, or once its objective has not fallen by `gain` (a share of it) for
    `seconds`. CP-SAT's own search on a big model keeps improving for minutes; on a smaller one
    it levels off and the time is better spent on windows (`neighbourhoods`)."""

    first: Deadline
    seconds: float
    gain: float


class _Watch(cp_model.CpSolverSolutionCallback):
    """Stops `solver` as `stall` says, from a thread of its own: a search that has levelled
    off finds no new solution, so a solution callback alone would never be called to stop it."""

    def __init__(self, solver: cp_model.CpSolver, stall: Stall) -> None:
        super().__init__()
        self._solver, self._stall = solver, stall
        self._mark = math.inf  # the objective at the last gain worth the name
        self._since: float | None = None  # when it was reached
        self._done = threading.Event()
        self.stopped = False

    def on_solution_callback(self) -> None:
        value = self.objective_value
        if self._since is None or value <= self._mark - self._stall.gain * abs(self._mark):
            self._mark, self._since = value, time.monotonic()

    def solve(self, model: cp_model.CpModel) -> cp_model.CpSolverStatus:
        watcher = threading.Thread(target=self._watch, name="phase-1-stall", daemon=True)
        watcher.start()
        try:
            return self._solver.solve(model, self)
        finally:
            self._done.set()
            watcher.join()

    def _watch(self) -> None:
        while not self._done.wait(0.2):
            since = self._since
            if (since is None and self._stall.first.passed()) or (
                since is not None and time.monotonic() - since > self._stall.seconds
            ):
                self.stopped = True
                self._solver.stop_search()
                return


class _OutOfTime(Exception):
    """The deadline passed while the model was being built."""


@dataclass(slots=True)
class Assignment:
    choice: Choice
    objective: float
    bound: float
    optimal: bool
    infeasible: bool = False
    cheapest: Choice | None = None  # the cost solve's own choice, when the tie-break changed it


@dataclass(slots=True)
class _Model:
    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    y: dict[tuple[int, int], cp_model.IntVar]
    extra: list[cp_model.IntVar]
    cost: cp_model.LinearExprT


def assign(
    facts: Facts,
    locked: dict[int, Placement],
    hint: Choice,
    *,
    deadline: Deadline,
    gap: float,
    workers: int,
    seed: int = 0,
    scope: Scope | None = None,
    stall: Stall | None = None,
) -> Assignment | None:
    """The best choice found by `deadline`, or None when there is none: none found, or no time
    left to build the model or solve it (see `status` for why). With `stall`, the solve may
    stop sooner (see `Stall`), and its time left then goes to the caller, not to a tie-break.

    With `scope`, only those cases, each in those of its segments, are chosen for (a
    neighbourhood: the rest of the plan stays as it is and must not share their days); its
    objective and bound then leave out everything outside the scope."""
    try:
        built = _build(facts, locked, hint, deadline, scope)
    except _OutOfTime:
        return None
    seconds = deadline.left()
    if seconds < SOLVE_SECONDS_MIN:
        return None
    solver = new_solver(seconds, workers, seed)
    solver.parameters.relative_gap_limit = gap
    if workers > 1:  # the full-problem worker with every cut: the bound is what it proves
        solver.parameters.subsolvers.append("max_lp")
    started = time.monotonic()
    watch = _Watch(solver, stall) if stall is not None else None
    status = watch.solve(built.model) if watch is not None else solver.solve(built.model)
    if status == cp_model.INFEASIBLE:
        return Assignment({}, 0, 0, optimal=False, infeasible=True)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _hinted(facts, built, hint, solver)
    found = Assignment(
        # every term is non-negative, so zero is a bound even before the LP has one
        {c: s for (c, s), var in built.x.items() if solver.value(var)},
        solver.objective_value,
        max(0.0, solver.best_objective_bound),
        status == cp_model.OPTIMAL,
    )
    left = seconds - (time.monotonic() - started)
    if left >= FULLER_SECONDS_MIN and not (watch is not None and watch.stopped):
        fuller = _fuller(facts, built, solver, left, workers, seed)
        if fuller != found.choice:
            found.choice, found.cheapest = fuller, found.choice
    return found


def _hinted(
    facts: Facts, built: _Model, hint: Choice, solver: cp_model.CpSolver
) -> Assignment | None:
    """The hint itself when the search found nothing in its time (a big model on a busy machine
    may not even load it) and the hint places every mandatory case: it is a solution (a real
    plan's choice), and the bound proven meanwhile still holds. None when it is not whole."""
    chosen = {c for c, _ in built.x}
    if any(facts.cases[c].mandatory and c not in hint for c in chosen):
        return None
    choice = {c: s for c, s in hint.items() if c in chosen}
    # every term is non-negative, so zero is a bound even before the LP has one
    return Assignment(choice, math.inf, max(0.0, solver.best_objective_bound), optimal=False)


def new_solver(seconds: float, workers: int, seed: int) -> cp_model.CpSolver:
    """A CP-SAT solver; with one worker, the same model and seed search the same way."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    return solver


def _fuller(
    facts: Facts, built: _Model, first: cp_model.CpSolver, seconds: float, workers: int, seed: int
) -> Choice:
    """The tie-break: among choices no costlier than the one found, the most booked minutes."""
    m = built.model
    m.proto.clear_solution_hint()  # what `clear_hints` does, which ortools leaves untyped
    for i in range(len(m.proto.variables)):
        var = m.get_int_var_from_proto_index(i)
        m.add_hint(var, first.value(var))
    m.add(built.cost <= round(first.objective_value))
    m.maximize(sum(facts.cases[c].occupied * var for (c, s), var in built.x.items()))
    solver = new_solver(seconds, workers, seed)
    status = solver.solve(m)
    source = solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else first
    return {c: s for (c, s), var in built.x.items() if source.value(var)}


def _build(
    facts: Facts,
    locked: dict[int, Placement],
    hint: Choice,
    deadline: Deadline,
    scope: Scope | None = None,
) -> _Model:
    """The model; raises `_OutOfTime` when the deadline passes while it is built (big problems
    take seconds to build, and that time is the run's too)."""

    def in_time() -> None:
        if deadline.passed():
            raise _OutOfTime

    m = cp_model.CpModel()
    if scope is None:
        scope = {c.index: c.segments for c in facts.cases if not c.locked and c.segments}
    free = [facts.cases[c] for c in scope]
    x = {(c, s): m.new_bool_var(f"x{c}_{s}") for c, segments in scope.items() for s in segments}
    # A complete hint (rooms opened, surgeons' rooms too) is a first solution as it stands.
    on = {var.index for (c, s), var in x.items() if hint.get(c) == s}
    terms: list[cp_model.LinearExprT] = []
    for i, case in enumerate(free):
        if i % 100 == 0:
            in_time()
        _case_terms(facts, m, x, case, scope[case.index], terms)
    in_time()
    y = _rooms(facts, m, x, on, locked, terms)
    in_time()
    add_day_budgets(facts, m, x, locked)
    in_time()
    extra = _surgeon_rooms(facts, m, x, on, locked, terms)
    in_time()
    cost = sum(terms) + constant_cost(facts, locked)
    m.minimize(cost)
    for (c, s), var in x.items():
        m.add_hint(var, hint.get(c) == s)
    return _Model(m, x, y, extra, cost)


def constant_cost(facts: Facts, locked: dict[int, Placement]) -> int:
    """Cases that cannot be placed, and locked cases' overtime: the same in every plan."""
    w = facts.problem.objective_weights
    left_out = sum(
        c.unscheduled_cost + c.move_cost * (c.booked is not None)
        for c in facts.cases
        if not c.locked and not c.segments
    )
    within = {
        p: pl
        for p, pl in locked.items()
        if 0 <= facts.timeline.day_of(pl.start) < facts.timeline.days
    }
    inside = sum(_locked_room_use(facts, within).values())
    occupied = sum(
        facts.cases[p].occupied - facts.cases[p].duration + pl.end - pl.start
        for p, pl in within.items()
    )
    return left_out + w.overtime_minute * (occupied - inside)


def _case_terms(
    facts: Facts,
    m: cp_model.CpModel,
    x: Vars,
    case: CaseFacts,
    segments: Sequence[int],
    terms: Terms,
) -> None:
    chosen = [x[case.index, s] for s in segments]
    placed = sum(chosen)
    if case.mandatory:
        m.add(placed == 1)
    else:
        m.add(placed <= 1)
        terms.append(case.unscheduled_cost * (1 - placed))
    for s in segments:
        if cost := placement_cost(facts, case, s):
            terms.append(cost * x[case.index, s])
    if case.booked is not None:
        stay = [x[case.index, s] for s in segments if _is_booked_room_day(facts, case, s)]
        terms.append(case.move_cost * (1 - sum(stay)))


def placement_cost(facts: Facts, case: CaseFacts, s: int) -> int:
    """Waiting and lateness for the segment's day, being outside one's own block, and the delay
    cost of the earliest start the segment allows (no higher than any start in it)."""
    w, seg = facts.problem.objective_weights, facts.segments[s]
    cost = case.day_cost(seg.day, w.late_day) + case.delay_cost * (seg.start + case.setup)
    own = case_owners(case.case.surgeon_id, case.case.specialty)
    if not facts.problem.respect_blocks and facts.problem.blocks and not (seg.owners & own):
        cost += w.off_block_case
    return cost


def _is_booked_room_day(facts: Facts, case: CaseFacts, s: int) -> bool:
    seg, booked = facts.segments[s], case.booked
    return booked is not None and (seg.room, seg.day) == (booked.room, booked.day)


def _rooms(
    facts: Facts,
    m: cp_model.CpModel,
    x: Vars,
    on: set[int],
    locked: dict[int, Placement],
    terms: Terms,
) -> dict[tuple[int, int], cp_model.IntVar]:
    w = facts.problem.objective_weights
    by_segment: dict[int, list[cp_model.LinearExprT]] = defaultdict(list)
    chosen_in: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    sizes: dict[int, list[int]] = defaultdict(list)
    for (c, s), var in x.items():
        by_segment[s].append(facts.cases[c].occupied * var)
        chosen_in[s].append(var)
        sizes[s].append(facts.cases[c].occupied)
    locked_use = _locked_room_use(facts, locked)
    room_days: dict[tuple[int, int], list[int]] = defaultdict(list)
    for s, seg in enumerate(facts.segments):
        room_days[seg.room, seg.day].append(s)
        if by_segment[s]:
            m.add(sum(by_segment[s]) <= cap.fullest(sizes[s], seg.length - locked_use[s]))
    y = {}
    for key, segs in room_days.items():
        load = [t for s in segs for t in by_segment[s]]
        used = sum(locked_use[s] for s in segs)
        if not load and not used:
            continue
        open_minutes = sum(facts.segments[s].length for s in segs)
        y[key] = m.new_bool_var(f"y{key}")
        m.add_hint(y[key], bool(used) or any(v.index in on for s in segs for v in chosen_in[s]))
        if used:
            m.add(y[key] == 1)
        if load:
            m.add(sum(load) <= open_minutes * y[key])
            for s in segs:
                for var in chosen_in[s]:
                    m.add_implication(var, y[key])
        # a room-day costs its opening and its idle minutes: open minutes less the booked ones
        terms.append((w.room_day + w.idle_minute * open_minutes) * y[key])
        terms.append(-w.idle_minute * (sum(load) + used))
    return y


def _locked_room_use(facts: Facts, locked: dict[int, Placement]) -> dict[int, int]:
    use: dict[int, int] = defaultdict(int)
    for p in locked.values():
        c = facts.cases[p.case].case
        a, b = p.start - c.setup_minutes, p.end + c.cleanup_minutes
        for s, seg in enumerate(facts.segments):
            if seg.room == p.room and seg.start < b and seg.end > a:
                use[s] += min(b, seg.end) - max(a, seg.start)
    return use


def add_day_budgets(
    facts: Facts, m: cp_model.CpModel, x: Vars, locked: dict[int, Placement]
) -> None:
    """Each surgeon's, staff role's and equipment type's minutes a day (`capacities`), for
    the (case, segment) choices `x`, after the locked cases."""
    loads: dict[cap.BudgetKey, list[cp_model.LinearExprT]] = defaultdict(list)
    for (c, s), var in x.items():
        case, day = facts.cases[c], facts.segments[s].day
        for key in cap.budget_keys(case, day):
            loads[key].append(cap.minutes_used(facts, case, key) * var)
    pairs = [(facts.cases[c], facts.segments[s].day) for c, s in x]
    for key, capacity in cap.day_budgets(facts, pairs, locked).items():
        m.add(sum(loads[key]) <= capacity)


def _surgeon_rooms(
    facts: Facts,
    m: cp_model.CpModel,
    x: Vars,
    on: set[int],
    locked: dict[int, Placement],
    terms: Terms,
) -> list[cp_model.IntVar]:
    """Extra rooms per surgeon and day: rooms used (locked ones included) less one."""
    w = facts.problem.objective_weights
    rooms: dict[tuple[int, int], dict[int, list[cp_model.IntVar]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for (c, s), var in x.items():
        seg = facts.segments[s]
        rooms[facts.cases[c].surgeon, seg.day][seg.room].append(var)
    pinned: dict[tuple[int, int], set[int]] = defaultdict(set)
    for p in locked.values():
        day = facts.timeline.day_of(p.start)
        if 0 <= day < facts.timeline.days:
            pinned[facts.cases[p.case].surgeon, day].add(p.room)
    used_rooms = []
    hinted = set(on)
    for key in set(rooms) | set(pinned):
        used = []
        for room, chosen in rooms.get(key, {}).items():
            if room in pinned[key]:
                continue
            z = m.new_bool_var("z")
            m.add_max_equality(z, chosen)
            if any(v.index in on for v in chosen):
                hinted.add(z.index)
            m.add_hint(z, z.index in hinted)
            used.append(z)
        used_rooms += used
        if pinned[key]:
            terms.append(w.surgeon_extra_room * (len(pinned[key]) - 1 + sum(used)))
        elif used:
            anyone = m.new_bool_var("w")
            m.add(anyone <= sum(used))
            m.add_hint(anyone, any(z.index in hinted for z in used))
            terms.append(w.surgeon_extra_room * (sum(used) - anyone))
    return used_rooms
