"""The optimizer against the greedy baseline on seeded instances of three sizes.

For each size: our solve time, gap to the proven bound, scheduled minutes and utilization, and
the ratios of our objective and utilization to the baseline's on the same instance. Each plan
shown has passed the independent checker. `BENCH_OPTIMIZER_SECONDS` sets the time limit (60).

Then the long-horizon family (`instances.long_horizon`: four weeks, four rooms with days closed,
36 surgeons whose daily maximum differs by date, 500 per surgeon switching rooms in a day, mostly
optional cases): the objective against the best plan known (`LONG_REFERENCE`: a 60 s solve on an
idle machine, 2026-12-03, that beat the earlier 600 s solves' 11,274;
`BENCH_OPTIMIZER_LONG_REFERENCE` to replace it), surgeons' room switches, and the
share of the time limit left unused.

Then the scale the contract allows: 31 days x 30 rooms x 2,000 cases with a 120 s limit
(`BENCH_OPTIMIZER_SCALE_SECONDS`), solved in a process of its own so that its peak RSS is its own:
the wall time (setup included) and the peak RSS are printed beside the outcome.
`BENCH_OPTIMIZER_PARTS` picks what runs (`sizes,long,scale`).

On request only (`BENCH_OPTIMIZER_PARTS=ceiling`): how much of the open time any plan of each
size could book at all, from a relaxation that keeps only each segment's minutes, phase 1's
per-day budgets and one segment per case and maximises booked minutes (CP-SAT for
`BENCH_OPTIMIZER_SECONDS`; its proven bound is the ceiling): what a utilization target can ask.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import os
import resource
import time
import uuid
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from zoneinfo import ZoneInfo

from contracts.planning import OptimizationProblem
from optimizer_service.domain.assignment import add_day_budgets
from optimizer_service.domain.capacities import fullest
from optimizer_service.domain.checker import check_plan
from optimizer_service.domain.outcome import Solved
from optimizer_service.domain.planner import baseline, optimize
from optimizer_service.domain.preparation import Prepared, prepare
from optimizer_service.instances import generate, long_horizon
from ortools.sat.python import cp_model

SIZES = ((1, 6, 30), (5, 10, 150), (20, 20, 1000))
SECONDS = float(os.environ.get("BENCH_OPTIMIZER_SECONDS", "60"))
SEED = int(os.environ.get("BENCH_OPTIMIZER_SEED", "1"))
# The best objective a long run found on long_horizon(seed=1): see docs/services/optimizer.md.
LONG_REFERENCE = float(os.environ.get("BENCH_OPTIMIZER_LONG_REFERENCE", "11182"))
SCALE = (31, 30, 2000)
PARTS = os.environ.get("BENCH_OPTIMIZER_PARTS", "sizes,long,scale").split(",")
SCALE_SECONDS = float(os.environ.get("BENCH_OPTIMIZER_SCALE_SECONDS", "120"))
HEADER = (
    f"{'instance':<18}{'wall s':>8}{'gap':>8}{'status':>10}{'sched':>7}{'minutes':>9}"
    f"{'util':>7}{'base util':>10}{'base unsch':>11}{'obj/base':>9}{'util/base':>10}{'+util pp':>9}"
)


def row(days: int, rooms: int, cases: int) -> str:
    problem = generate(days, rooms, cases, seed=SEED, time_limit_seconds=SECONDS)
    name = f"{days}d x {rooms}r x {cases}c"
    greedy = baseline(problem)
    started = time.monotonic()
    ours = optimize(problem)
    wall = time.monotonic() - started
    if not isinstance(ours, Solved) or not isinstance(greedy, Solved):
        return f"{name:<18} ours: {ours.__class__.__name__}, baseline: {greedy.__class__.__name__}"
    assert not check_plan(problem, ours.plan), "the optimizer's plan failed the checker"
    k, g, r = ours.plan.kpis, greedy.plan.kpis, ours.report
    return (
        f"{name:<18}{wall:>8.1f}{r.gap:>8.2%}{r.status.value:>10}{k.scheduled_cases:>7}"
        f"{k.booked_minutes:>9}{k.utilization:>7.1%}{g.utilization:>10.1%}"
        f"{g.unscheduled_cases:>11}{r.objective / greedy.report.objective:>9.3f}"
        f"{k.utilization / g.utilization:>10.3f}{(k.utilization - g.utilization) * 100:>9.1f}"
    )


def long_row() -> str:
    problem = long_horizon(seed=SEED, time_limit_seconds=SECONDS)
    greedy = baseline(problem)
    started = time.monotonic()
    ours = optimize(problem)
    wall = time.monotonic() - started
    name = "28d x 4r x 36s x 320c"
    if not isinstance(ours, Solved) or not isinstance(greedy, Solved):
        return f"{name} ours: {ours.__class__.__name__}, baseline: {greedy.__class__.__name__}"
    assert not check_plan(problem, ours.plan), "the optimizer's plan failed the checker"
    objective = ours.report.objective
    return (
        f"{name}: wall {wall:.1f} s ({1 - wall / SECONDS:.0%} of the limit unused), objective "
        f"{objective:.0f} ({objective / LONG_REFERENCE - 1:+.1%} against the reference "
        f"{LONG_REFERENCE:.0f}; greedy {greedy.report.objective:.0f}), gap {ours.report.gap:.2%}, "
        f"{ours.plan.kpis.scheduled_cases} scheduled, room switches {switches(problem, ours)} "
        f"(greedy {switches(problem, greedy)})"
    )


def switches(problem: OptimizationProblem, outcome: Solved) -> int:
    """Rooms beyond the first that a surgeon works in on a day, summed."""
    surgeon = {c.case_id: c.surgeon_id for c in problem.cases}
    zone = ZoneInfo(problem.horizon.timezone)
    rooms: dict[tuple[uuid.UUID, date], set[uuid.UUID]] = defaultdict(set)
    for a in outcome.plan.assignments:
        rooms[surgeon[a.case_id], a.start.astimezone(zone).date()].add(a.room_id)
    return sum(len(r) - 1 for r in rooms.values())


def scale_solve(days: int, rooms: int, cases: int, seconds: float) -> str:
    """One solve of a big instance, timed from the problem in hand to the checked plan."""
    problem = generate(days, rooms, cases, seed=SEED, time_limit_seconds=seconds)
    started = time.monotonic()
    ours = optimize(problem)
    wall = time.monotonic() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    name = f"{days}d x {rooms}r x {cases}c"
    head = f"{name:<18} limit {seconds:.0f} s: wall {wall:.1f} s, peak RSS {peak_mib:.0f} MiB"
    if not isinstance(ours, Solved):
        return f"{head}, {ours.__class__.__name__}: {ours.message}"
    assert not check_plan(problem, ours.plan), "the optimizer's plan failed the checker"
    k = ours.plan.kpis
    return (
        f"{head}, checked plan: {k.scheduled_cases} scheduled, {k.unscheduled_cases} not, "
        f"utilization {k.utilization:.1%}, gap {ours.report.gap:.2%}"
    )


def scale_row() -> str:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(scale_solve, *SCALE, SCALE_SECONDS).result()


def ceiling_row(days: int, rooms: int, cases: int) -> str:
    problem = generate(days, rooms, cases, seed=SEED, time_limit_seconds=SECONDS)
    prepared = prepare(problem)
    assert isinstance(prepared, Prepared) and not prepared.locked
    found = booked_minutes_ceiling(prepared, SECONDS)
    if found is None:
        return f"{days}d x {rooms}r x {cases}c: no solution and no bound in {SECONDS:.0f} s"
    best, bound = found
    open_minutes = sum(s.length for s in prepared.facts.segments)
    return (
        f"{days}d x {rooms}r x {cases}c: at most {bound / open_minutes:.1%} of the open time "
        f"(proven bound {bound:.0f} of {open_minutes} minutes; best relaxed packing found "
        f"{best / open_minutes:.1%})"
    )


def booked_minutes_ceiling(prepared: Prepared, seconds: float) -> tuple[int, int] | None:
    """The most minutes a relaxation of the hard rules books (best found, proven bound), or
    None when CP-SAT finds nothing in the time (a bound alone means little then)."""
    facts, model = prepared.facts, cp_model.CpModel()
    x = {
        (c.index, s): model.new_bool_var(f"x{c.index}_{s}")
        for c in facts.cases
        for s in c.segments
        if c.occupied <= facts.segments[s].length
    }
    by_case: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_segment: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for (c, s), var in x.items():
        by_case[c].append(var)
        by_segment[s].append((facts.cases[c].occupied, var))
    for chosen in by_case.values():
        model.add_at_most_one(chosen)
    for s, items in by_segment.items():
        room = fullest([o for o, _ in items], facts.segments[s].length)
        model.add(sum(o * v for o, v in items) <= room)
    add_day_budgets(facts, model, x, prepared.locked)
    model.maximize(sum(facts.cases[c].occupied * var for (c, _), var in x.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = os.cpu_count() or 1
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    # booked minutes are whole: the bound, within the solver's float tolerance, is too
    return round(solver.objective_value), math.floor(solver.best_objective_bound + 1e-6)


def run() -> None:
    print(f"optimizer vs greedy baseline (time limit {SECONDS:.0f} s, {os.cpu_count()} cores)")
    if "sizes" in PARTS:
        print(HEADER)
        for size in SIZES:
            print(row(*size), flush=True)
    if "long" in PARTS:
        print("long horizon, many surgeons:")
        print(long_row(), flush=True)
    if "ceiling" in PARTS:
        print("utilization ceiling (a relaxation; no plan books more):")
        for size in SIZES:
            print(ceiling_row(*size), flush=True)
    if "scale" in PARTS:
        print(f"scale (time limit {SCALE_SECONDS:.0f} s, its own process):")
        print(scale_row(), flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} (1 min) at the end")


async def main() -> None:
    await asyncio.to_thread(run)
