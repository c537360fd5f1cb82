"""A run's result survives storage as JSON and becomes the right event; limits are capped."""

from __future__ import annotations

import uuid

from contracts.events.optimizer_schedules import (
    FailureDetail,
    FailureReason,
    OptimizationFailed,
    ScheduleOptimized,
)
from optimizer_service import results
from optimizer_service.domain.outcome import Failed
from optimizer_service.domain.planner import baseline
from optimizer_service.solving import effective_problem, solve

from tests.unit.optimizer.builders import case, person, problem, room


def _problem(**fields):
    surgeon = person()
    return problem([case(surgeon, 60), case(surgeon, 60)], [room()], [surgeon], **fields)


def test_a_solved_run_is_stored_and_announced_as_schedule_optimized():
    asked = _problem()
    status, result = results.stored(baseline(asked))
    request_id, run_id = uuid.uuid4(), uuid.uuid4()

    event = results.event(request_id, run_id, status, result)

    assert status == "succeeded"
    assert isinstance(event, ScheduleOptimized)
    assert (event.request_id, event.run_id) == (request_id, run_id)
    assert len(event.plan.assignments) == 2
    assert event.aggregate_id() == str(request_id)


def test_a_failed_run_keeps_its_reason_message_and_details_through_storage():
    case_id = uuid.uuid4()
    detail = FailureDetail(code="no_room", message="no room has robotic", case_ids=(case_id,))
    failed = Failed(FailureReason.INFEASIBLE, "case cannot fit", (detail,))

    status, result = results.stored(failed)
    event = results.event(uuid.uuid4(), uuid.uuid4(), status, result)

    assert (status, results.outcome_label(status, result)) == ("failed", "infeasible")
    assert isinstance(event, OptimizationFailed)
    assert (event.reason, event.message, event.details) == (
        FailureReason.INFEASIBLE,
        "case cannot fit",
        (detail,),
    )


def test_a_time_limit_above_the_services_cap_is_cut_to_the_cap():
    assert effective_problem(_problem(time_limit_seconds=600), 300).time_limit_seconds == 300
    assert effective_problem(_problem(time_limit_seconds=5), 300).time_limit_seconds == 5


def test_a_stored_problem_that_no_longer_validates_fails_the_run_as_invalid():
    stored_problem = _problem().model_dump(mode="json")
    stored_problem["rooms"] = []

    status, result = solve(stored_problem, "greedy", 1, 300)

    assert (status, result["failure"]["reason"]) == ("failed", "invalid_problem")
    assert "rooms" in result["failure"]["message"]
