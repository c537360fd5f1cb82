"""A person's daily maximum may differ by date (`max_minutes_by_date`): the engine plans within
it, the checker holds plans to it, and other dates keep `max_minutes_per_day`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from optimizer_service.domain.checker import check_plan
from optimizer_service.domain.outcome import Solved
from optimizer_service.domain.planner import baseline, optimize

from tests.unit.optimizer.builders import FIRST, case, person, problem, room


def _minutes_by_date(plan) -> dict:
    minutes: dict = {}
    for a in plan.assignments:
        day = a.start.date()
        minutes[day] = minutes.get(day, 0) + (a.end - a.start).total_seconds() / 60
    return minutes


@pytest.mark.parametrize("planner", ["optimize", "baseline"])
def test_a_part_day_takes_only_what_its_own_maximum_allows(planner):
    s = person(max_minutes_per_day=240, max_minutes_by_date={FIRST: 60})
    p = problem([case(s, 60) for _ in range(5)], [room(days=2)], [s], days=2)
    outcome = optimize(p, workers=1) if planner == "optimize" else baseline(p)
    assert isinstance(outcome, Solved), outcome
    assert not check_plan(p, outcome.plan)
    minutes = _minutes_by_date(outcome.plan)
    assert minutes[FIRST] == 60
    assert minutes[FIRST + timedelta(days=1)] == 240


def test_the_checker_rejects_a_plan_over_a_date_s_own_maximum():
    s, theatre = person(max_minutes_per_day=240), room()
    cases = [case(s, 60) for _ in range(3)]
    plan = baseline(problem(cases, [theatre], [s])).plan
    part_day = s.model_copy(update={"max_minutes_by_date": {FIRST: 120}})
    stricter = problem(cases, [theatre], [part_day])
    codes = {v.code for v in check_plan(stricter, plan)}
    assert codes == {"over_daily_maximum"}
