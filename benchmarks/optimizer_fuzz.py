"""The optimizer and the greedy baseline on thousands of random valid problems: every outcome
counted.

Each problem (`optimizer_service.random_problems`: 1-5 days, 1-6 rooms, 1-60 cases) is solved
by both planners with a short time limit and one CP-SAT worker, in a process pool of two (the
machine's cores). Outcomes: a checked plan, a failure and its reason (`infeasible`, ...), or a
`solver_error`; a `solver_error` whose details are checker rejections is counted by their codes.
`infeasible` from the optimizer where the baseline found a checked plan is counted on its own. A
problem is replayed with `python -m benchmarks.optimizer_fuzz SEED`.
`BENCH_FUZZ_PROBLEMS` (2000), `BENCH_FUZZ_SECONDS` (0.5), `BENCH_FUZZ_PROCESSES` (2),
`BENCH_FUZZ_SEED` (1, the first problem's seed).
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

from contracts.events.optimizer_schedules import FailureReason
from optimizer_service.domain.checker import check_plan
from optimizer_service.domain.outcome import Failed, Outcome
from optimizer_service.domain.planner import baseline, optimize
from optimizer_service.random_problems import random_problem

PROBLEMS = int(os.environ.get("BENCH_FUZZ_PROBLEMS", "2000"))
SECONDS = float(os.environ.get("BENCH_FUZZ_SECONDS", "0.5"))
PROCESSES = int(os.environ.get("BENCH_FUZZ_PROCESSES", "2"))
FIRST_SEED = int(os.environ.get("BENCH_FUZZ_SEED", "1"))


def outcome_kinds(planner: str, outcome: Outcome, problem) -> list[str]:
    if isinstance(outcome, Failed):
        if outcome.reason == FailureReason.SOLVER_ERROR and outcome.details:
            return [f"{planner} checker rejected: {d.code}" for d in outcome.details]
        if outcome.reason == FailureReason.SOLVER_ERROR:
            return [f"{planner} solver_error: {outcome.message[:80]}"]
        if outcome.reason == FailureReason.INFEASIBLE and not any(
            d.case_ids for d in outcome.details
        ):
            return [f"{planner} infeasible naming no case"]
        return [f"{planner} {outcome.reason.value}"]
    if check_plan(problem, outcome.plan):  # the planners check their own plans: never expected
        return [f"{planner} unchecked plan returned"]
    return [f"{planner} checked plan"]


def try_one(seed: int) -> tuple[int, list[str]]:
    problem = random_problem(random.Random(seed), time_limit_seconds=SECONDS)
    try:
        greedy = baseline(problem)
        ours = optimize(problem, workers=1)
    except Exception as error:  # the planners promise never to raise; count it if they do
        return seed, [f"raised {error!r}"[:100]]
    kinds = outcome_kinds("baseline", greedy, problem) + outcome_kinds("optimizer", ours, problem)
    if "baseline checked plan" in kinds and "optimizer infeasible" in kinds:
        kinds.append("optimizer infeasible where the baseline planned")
    return seed, kinds


def run() -> None:
    seeds = range(FIRST_SEED, FIRST_SEED + PROBLEMS)
    print(f"optimizer fuzz: {PROBLEMS} problems, {SECONDS} s limit, {PROCESSES} processes")
    started, counts = time.monotonic(), Counter()
    bad: dict[str, list[int]] = {}
    faulty: set[int] = set()
    slow: dict[str, list[int]] = {}
    with ProcessPoolExecutor(PROCESSES) as pool:
        for seed, kinds in pool.map(try_one, seeds, chunksize=4):
            counts.update(set(kinds))
            for kind in sorted(set(kinds)):
                if kind.endswith("no_solution_in_time_limit"):  # not a fault, but worth a look
                    slow.setdefault(kind, []).append(seed)
                if not kind.endswith(("checked plan", "infeasible", "no_solution_in_time_limit")):
                    bad.setdefault(kind, []).append(seed)
                    faulty.add(seed)
    for kind, count in sorted(counts.items()):
        print(f"{count:>7}  {kind}")
    for kind, found in sorted((bad | slow).items()):
        print(f"seeds of {kind}: {found[:10]}")
    print(f"{time.monotonic() - started:.0f} s; problems with a fault: {len(faulty)}")


async def main() -> None:
    await asyncio.to_thread(run)


if __name__ == "__main__":
    print(try_one(int(sys.argv[1])))
