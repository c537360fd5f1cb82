"""The time limit holds end to end: setup, the greedy baseline, phase 1 and phase 2 share one
deadline, and a problem too big for its limit still gets a checked plan rather than none."""

from __future__ import annotations

import time

import pytest
from contracts.vocabulary import SurgeryPriority
from optimizer_service.domain.assignment import assign
from optimizer_service.domain.baseline import greedy_placements
from optimizer_service.domain.checker import check_plan
from optimizer_service.domain.deadline import Deadline
from optimizer_service.domain.outcome import Solved
from optimizer_service.domain.planner import baseline, optimize
from optimizer_service.domain.preparation import prepare
from optimizer_service.instances import generate

from tests.unit.optimizer.builders import case, person, problem, room

LIMIT = 0.5
MARGIN = 3.0  # generous: the test machine is shared and noisy


@pytest.mark.parametrize("planner", ["optimize", "baseline"])
def test_a_problem_too_big_for_its_limit_gets_a_checked_plan_within_the_limit(planner):
    p = generate(10, 10, 400, seed=1, time_limit_seconds=LIMIT)
    started = time.monotonic()
    outcome = optimize(p, workers=1) if planner == "optimize" else baseline(p)
    elapsed = time.monotonic() - started
    assert isinstance(outcome, Solved), outcome
    assert not check_plan(p, outcome.plan)
    assert elapsed < LIMIT + MARGIN


def test_once_the_time_is_out_the_greedy_places_the_mandatory_cases_and_no_others():
    s1, s2 = person(), person()
    elective = case(s1, 60)
    urgent = case(s2, 60, priority=SurgeryPriority.URGENT)
    prepared = prepare(problem([elective, urgent], [room()], [s1, s2]))
    placed = greedy_placements(prepared, Deadline(0.0))
    assert {prepared.facts.cases[c].case.case_id for c in placed} == {urgent.case_id}


def test_phase_one_gives_up_when_the_deadline_passed_before_its_model_was_built():
    s = person()
    prepared = prepare(problem([case(s, 60)], [room()], [s]))
    found = assign(prepared.facts, {}, {}, deadline=Deadline(0.0), gap=0.0, workers=1)
    assert found is None


def test_a_deadline_shares_only_the_time_left():
    deadline = Deadline.after(10)
    assert deadline.share(0.5).at <= deadline.at
    assert 4 < deadline.share(0.5).left() <= 5
    assert Deadline(0.0).passed() and Deadline.never().left() > 10**6
