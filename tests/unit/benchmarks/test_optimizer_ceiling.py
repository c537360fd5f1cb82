"""The utilization ceiling the optimizer benchmark prints is a ceiling: no plan books more."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optimizer_service.domain.outcome import Solved
from optimizer_service.domain.planner import baseline, optimize
from optimizer_service.domain.preparation import Prepared, prepare
from optimizer_service.random_problems import Size, random_problem

from benchmarks.optimizer import booked_minutes_ceiling

SMALL = Size(days=(1, 3), rooms=(1, 4), cases=(1, 30))


@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.randoms(use_true_random=True))
def test_no_plan_books_more_than_the_ceiling(rng: random.Random) -> None:
    problem = random_problem(rng, SMALL, time_limit_seconds=0.5)
    # the ceiling is for problems without locked bookings (the benchmark's instances)
    problem = problem.model_copy(
        update={"cases": tuple(c.model_copy(update={"locked": False}) for c in problem.cases)}
    )
    prepared = prepare(problem)
    assert isinstance(prepared, Prepared)
    found = booked_minutes_ceiling(prepared, seconds=5)
    assert found is not None
    best, bound = found
    assert best <= bound
    for outcome in (baseline(problem), optimize(problem, workers=1)):
        if isinstance(outcome, Solved):
            assert outcome.plan.kpis.booked_minutes <= bound
