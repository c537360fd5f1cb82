"""What-if runs share the queue with requested ones; a wait that runs out hands back the run."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from contracts.planning import OptimizationProblem, Plan
from optimizer_service import runs
from optimizer_service.domain.checker import check_plan
from optimizer_service.settings import OptimizerSettings

from tests.integration.optimizer.problems import tiny_problem

pytestmark = pytest.mark.integration
DEMO = Path(__file__).parents[2] / "unit" / "optimizer" / "problems" / "demo_five_days.json"


async def test_a_waiting_request_gets_the_finished_run_from_the_shared_worker(optimizer):
    settings = OptimizerSettings(wait_margin_seconds=60)  # a busy machine starts processes slowly
    async with optimizer.running():
        run = await runs.submit(
            optimizer.unit_of_work,
            settings,
            tiny_problem(2),
            planner="cp_sat",
            requested_by=str(uuid.uuid4()),
            wait=True,
        )

    assert (run.status, run.source, run.attempts) == ("succeeded", "http", 1)
    assert len(run.result["plan"]["assignments"]) == 2


async def test_a_run_records_its_seed_and_the_solver_workers_that_solved_it(optimizer):
    settings = OptimizerSettings(wait_margin_seconds=60)  # a busy machine starts processes slowly
    async with optimizer.running(solver_workers=1):
        run = await runs.submit(
            optimizer.unit_of_work,
            settings,
            tiny_problem(2),
            planner="cp_sat",
            requested_by=str(uuid.uuid4()),
            wait=True,
            seed=12345,
        )

    assert (run.status, run.seed, run.solver_workers) == ("succeeded", 12345, 1)


async def test_the_demo_hospitals_five_days_come_back_as_a_checked_plan(optimizer):
    # the problem of a default optimization that once failed with StopIteration (issue 18)
    problem = OptimizationProblem.model_validate(json.loads(DEMO.read_text()))
    settings = OptimizerSettings(wait_margin_seconds=60)
    async with optimizer.running(solver_workers=1):
        run = await runs.submit(
            optimizer.unit_of_work,
            settings,
            problem.model_copy(update={"time_limit_seconds": 5}),
            planner="cp_sat",
            requested_by=str(uuid.uuid4()),
            wait=True,
        )

    assert run.status == "succeeded", run.result
    assert check_plan(problem, Plan.model_validate(run.result["plan"])) == []


async def test_a_wait_that_runs_out_returns_the_run_still_queued(optimizer):
    settings = OptimizerSettings(wait_margin_seconds=0, max_wait_seconds=0.5)
    started = asyncio.get_running_loop().time()

    run = await runs.submit(
        optimizer.unit_of_work,
        settings,
        tiny_problem(2),
        planner="greedy",
        requested_by=str(uuid.uuid4()),
        wait=True,
    )

    assert asyncio.get_running_loop().time() - started < 2
    assert (run.status, run.planner, run.result) == ("queued", "greedy", None)
