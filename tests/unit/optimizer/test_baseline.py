"""The greedy baseline: earliest due date first, first fit, and always a checked plan."""

from __future__ import annotations

import pytest
from contracts.events.optimizer_schedules import FailureReason
from contracts.vocabulary import StaffRole, SurgeryPriority
from optimizer_service.domain.checker import check_plan
from optimizer_service.domain.outcome import Failed, Solved
from optimizer_service.domain.planner import baseline, optimize
from optimizer_service.instances import generate

from tests.unit.optimizer.builders import at, case, person, problem, room, window


def test_places_the_earliest_due_case_first_into_the_first_slot():
    s = person()
    later = case(s, 120, due_date=at(5, 0).date())
    sooner = case(s, 120, due_date=at(2, 0).date())
    outcome = baseline(problem([later, sooner], [room()], [s]))
    assert isinstance(outcome, Solved)
    starts = {a.case_id: a.start for a in outcome.plan.assignments}
    assert starts[sooner.case_id] == at(0, 8)
    assert starts[later.case_id] == at(0, 10)


def test_leaves_out_what_does_not_fit_and_says_why():
    s = person()
    outcome = baseline(problem([case(s, 200), case(s, 200)], [room()], [s]))
    assert isinstance(outcome, Solved)
    assert [u.reason for u in outcome.plan.unscheduled] == ["no_capacity"]


def test_reports_a_staff_member_who_is_never_there_as_no_staff():
    s = person()
    nurse = person(StaffRole.SCRUB_NURSE, available_intervals=(window(0, 13, 15),))
    c = case(s, 60, roles=[StaffRole.SCRUB_NURSE], priority=SurgeryPriority.URGENT)
    outcome = baseline(problem([c], [room()], [s, nurse]))
    assert isinstance(outcome, Failed)
    assert outcome.reason == FailureReason.INFEASIBLE
    assert outcome.details[0].code == "no_staff"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_optimizer_plans_pass_the_checker_and_never_lose_to_the_baseline(seed):
    p = generate(3, 4, 30, seed=seed, time_limit_seconds=3)
    greedy, ours = baseline(p), optimize(p, workers=2)
    if isinstance(greedy, Solved):
        assert isinstance(ours, Solved)
        assert ours.report.objective <= greedy.report.objective
    if isinstance(ours, Solved):
        assert check_plan(p, ours.plan) == []
        assert ours.report.best_bound <= ours.report.objective
