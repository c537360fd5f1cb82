"""The optimizer against the greedy baseline on seeded instances of three sizes.

For each size: our solve time, gap to the proven bound, scheduled minutes and utilization, and
the ratios of our objective and utilization to the baseline's on the same instance. Each plan
shown has passed the independent checker. `BENCH_OPTIMIZER_SECONDS` sets the time limit (60).
"""

from __future__ import annotations

import asyncio
import os
import time

from optimizer_service.domain.checker import check_plan
from optimizer_service.domain.outcome import Solved
from optimizer_service.domain.planner import baseline, optimize
from optimizer_service.instances import generate

SIZES = ((1, 6, 30), (5, 10, 150), (20, 20, 1000))
SECONDS = float(os.environ.get("BENCH_OPTIMIZER_SECONDS", "60"))
SEED = int(os.environ.get("BENCH_OPTIMIZER_SEED", "1"))
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


def run() -> None:
    print(f"optimizer vs greedy baseline (time limit {SECONDS:.0f} s, {os.cpu_count()} cores)")
    print(HEADER)
    for size in SIZES:
        print(row(*size), flush=True)


async def main() -> None:
    await asyncio.to_thread(run)
