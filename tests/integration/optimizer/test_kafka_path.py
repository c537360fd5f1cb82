"""OptimizationRequested in, ScheduleOptimized or OptimizationFailed out, each request once."""

from __future__ import annotations

import asyncio

import pytest
from contracts.envelope import Envelope
from contracts.events.optimizer_schedules import OptimizationFailed, ScheduleOptimized
from optimizer_service.domain.checker import check_plan

from tests.integration.optimizer.problems import impossible_problem, tiny_problem
from tests.integration.optimizer.world import envelope_of, request
from tests.integration.servicekit.effects import wait_until

pytestmark = pytest.mark.integration


async def test_a_requested_optimization_is_answered_with_a_checked_schedule_keyed_by_the_request(
    optimizer,
):
    asked = request(tiny_problem(3))
    envelope = envelope_of(asked)
    async with optimizer.running():
        await optimizer.publish(envelope)
        [(key, answer)] = await optimizer.outcomes_for(asked.request_id)

    assert key == str(asked.request_id)
    assert answer.event_type == "ScheduleOptimized"
    assert answer.producer == "optimizer"
    assert answer.correlation_id == envelope.correlation_id
    assert answer.causation_id == envelope.event_id
    optimized = ScheduleOptimized.model_validate(answer.data)
    assert len(optimized.plan.assignments) == 3
    assert check_plan(asked.problem, optimized.plan) == []
    [run] = await optimizer.runs(asked.request_id)
    assert (run["status"], run["source"], run["run_id"]) == ("succeeded", "event", optimized.run_id)


async def test_a_problem_that_cannot_be_planned_is_answered_with_the_case_and_why(optimizer):
    problem, case_id = impossible_problem()
    asked = request(problem)
    async with optimizer.running():
        await optimizer.publish(envelope_of(asked))
        [(key, answer)] = await optimizer.outcomes_for(asked.request_id)

    assert (key, answer.event_type) == (str(asked.request_id), "OptimizationFailed")
    failed = OptimizationFailed.model_validate(answer.data)
    assert failed.reason in ("infeasible", "invalid_problem")
    assert any(case_id in detail.case_ids for detail in failed.details), failed
    [run] = await optimizer.runs(asked.request_id)
    assert run["status"] == "failed"
    assert run["result"]["failure"]["reason"] == failed.reason


async def test_a_redelivered_or_republished_request_is_solved_once(optimizer):
    asked = request(tiny_problem(2))
    envelope = envelope_of(asked)
    # The same message twice, and the same request again under a new event id.
    again = Envelope.wrap(asked, producer="scheduling", correlation_id=envelope.correlation_id)
    async with optimizer.running():
        await optimizer.publish(envelope, envelope, again)
        await optimizer.outcomes_for(asked.request_id)
        await asyncio.sleep(3)  # room for a second, wrong, answer to arrive
        answers = await optimizer.outcomes_for(asked.request_id, timeout=5)

    assert len(answers) == 1
    [run] = await optimizer.runs(asked.request_id)
    assert run["attempts"] == 1


async def test_the_consumer_only_queues_the_run_and_leaves_solving_to_the_worker(optimizer):
    asked = request(tiny_problem(2))
    async with optimizer.running(worker=False):
        await optimizer.publish(envelope_of(asked))
        [run] = await wait_until(lambda: optimizer.runs(asked.request_id), what="the queued run")
        await asyncio.sleep(1)
        [still] = await optimizer.runs(asked.request_id)

    assert run["status"] == still["status"] == "queued"
    assert still["result"] is None and still["attempts"] == 0


async def test_a_request_breaking_the_contract_is_answered_invalid_problem_once(optimizer):
    asked = request(tiny_problem(2))
    valid = envelope_of(asked)
    broken_problem = {**valid.data["problem"], "rooms": []}  # at least one room is required
    broken = valid.model_copy(update={"data": {**valid.data, "problem": broken_problem}})
    async with optimizer.running():
        await optimizer.publish(broken, broken)
        [(key, answer)] = await optimizer.outcomes_for(asked.request_id)
        await asyncio.sleep(2)  # room for a second, wrong, answer to arrive
        answers = await optimizer.outcomes_for(asked.request_id, timeout=3)

    assert len(answers) == 1
    assert (key, answer.event_type) == (str(asked.request_id), "OptimizationFailed")
    failed = OptimizationFailed.model_validate(answer.data)
    assert failed.reason == "invalid_problem"
    assert "rooms" in failed.message
    assert answer.causation_id == broken.event_id
    [run] = await optimizer.runs(asked.request_id)
    assert (run["status"], run["result"]["failure"]["reason"]) == ("failed", "invalid_problem")
