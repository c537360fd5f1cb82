"""On any valid problem, both planners answer a plan the checker accepts or a failure naming the
cases: never an exception, never `infeasible` where the greedy baseline planned.

The problems (`optimizer_service.random_problems`) have every feature of the contract: blocks
respected or not, booked and locked cases, several roles with daily maxima, people with two roles,
equipment with turnaround, rooms open twice a day or past midnight, people whose time is partly or
wholly outside the horizon, empty availability, DST days, times off the whole minute, cases that
fit nowhere. `python -m benchmarks optimizer-fuzz` runs thousands; here a few dozen, small.
"""

from __future__ import annotations

from contracts.events.optimizer_schedules import FailureReason
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optimizer_service.domain.checker import check_plan
from optimizer_service.domain.outcome import Failed, Solved
from optimizer_service.domain.planner import baseline, optimize
from optimizer_service.random_problems import Size, random_problem

SMALL = Size(days=(1, 3), rooms=(1, 4), cases=(1, 30))
ANSWERED = (FailureReason.INFEASIBLE, FailureReason.NO_SOLUTION_IN_TIME_LIMIT)
# Derandomized, so CI runs the same examples every time; a seeded `Random` per example, as its
# problems vary far more than a shrinkable one's (replay a failure from its seed). too_slow is
# off, as for the suite: a problem takes hundreds of draws, and a loaded machine draws slowly.
FEW = settings(
    max_examples=80,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def assert_answered(problem, outcome) -> None:
    if isinstance(outcome, Solved):
        assert check_plan(problem, outcome.plan) == []
        return
    assert isinstance(outcome, Failed)
    assert outcome.reason in ANSWERED, outcome
    assert outcome.details and all(d.case_ids for d in outcome.details), outcome


@FEW
@given(st.randoms(use_true_random=True))
def test_both_planners_answer_a_checked_plan_or_a_failure_naming_the_cases(rng):
    problem = random_problem(rng, SMALL, time_limit_seconds=0.5)
    greedy, ours = baseline(problem), optimize(problem, workers=1)
    assert_answered(problem, greedy)
    assert_answered(problem, ours)
    if isinstance(greedy, Solved):
        assert not (isinstance(ours, Failed) and ours.reason == FailureReason.INFEASIBLE), ours
