"""The run queue: leases outlive dead workers, workers never share a run, stopping hands back."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from optimizer_service.db import runs as db
from sqlalchemy import text

from tests.integration.optimizer import solves
from tests.integration.optimizer.problems import tiny_problem
from tests.integration.optimizer.world import request
from tests.integration.servicekit.effects import wait_until

pytestmark = pytest.mark.integration


async def _queue(optimizer, problem, *, request_id: uuid.UUID | None = None) -> uuid.UUID:
    async with optimizer.unit_of_work() as uow:
        run_id = await db.insert_run(
            uow.session,
            db.NewRun(
                source="event" if request_id else "http",
                problem=problem.model_dump(mode="json"),
                request_id=request_id,
            ),
        )
        await uow.commit()
    return run_id


async def _left_running_by_a_dead_worker(optimizer, run_id: uuid.UUID, attempts: int) -> None:
    async with optimizer.engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE optimization_runs SET status = 'running', claim_id = :claim,"
                " attempts = :attempts, started_at = now() - interval '5 minutes',"
                " lease_expires_at = now() - interval '1 second' WHERE run_id = :run"
            ),
            {"claim": uuid.uuid4(), "attempts": attempts, "run": run_id},
        )


async def _run(optimizer, run_id: uuid.UUID) -> dict:
    async with optimizer.engine.connect() as conn:
        row = await conn.execute(
            text("SELECT * FROM optimization_runs WHERE run_id = :id"), {"id": run_id}
        )
        return dict(row.one()._mapping)


async def _finished(optimizer, run_id: uuid.UUID) -> dict | None:
    run = await _run(optimizer, run_id)
    return run if run["status"] in db.FINISHED else None


async def test_a_run_left_running_by_a_dead_worker_is_claimed_again_and_answered(optimizer):
    asked = request(tiny_problem(2))
    run_id = await _queue(optimizer, asked.problem, request_id=asked.request_id)
    await _left_running_by_a_dead_worker(optimizer, run_id, attempts=1)

    async with optimizer.running():
        [(_, answer)] = await optimizer.outcomes_for(asked.request_id)

    assert answer.event_type == "ScheduleOptimized"
    run = await _run(optimizer, run_id)
    assert (run["status"], run["attempts"]) == ("succeeded", 2)
    assert run["claim_id"] is None and run["lease_expires_at"] is None


async def test_a_run_whose_lease_is_still_held_is_left_to_its_worker(optimizer):
    run_id = await _queue(optimizer, tiny_problem(1))
    await _left_running_by_a_dead_worker(optimizer, run_id, attempts=1)
    async with optimizer.engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE optimization_runs SET lease_expires_at = now() + interval '1 hour'"
                " WHERE run_id = :run"
            ),
            {"run": run_id},
        )

    async with optimizer.running():
        await asyncio.sleep(2)

    assert (await _run(optimizer, run_id))["attempts"] == 1


async def test_a_run_that_kept_killing_its_worker_is_failed_instead_of_solved_again(optimizer):
    asked = request(tiny_problem(2))
    run_id = await _queue(optimizer, asked.problem, request_id=asked.request_id)
    await _left_running_by_a_dead_worker(optimizer, run_id, attempts=3)

    async with optimizer.running(max_attempts=3):
        [(_, answer)] = await optimizer.outcomes_for(asked.request_id)

    assert answer.event_type == "OptimizationFailed"
    assert answer.data["reason"] == "solver_error"
    assert "gave up after 3 attempts" in answer.data["message"]


async def test_two_workers_never_solve_the_same_run(optimizer):
    run_ids = [await _queue(optimizer, tiny_problem(2, time_limit_seconds=2)) for _ in range(4)]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(optimizer.worker(solver_workers=1).run(stop)) for _ in range(2)]
    try:
        for run_id in run_ids:
            await wait_until(lambda run_id=run_id: _finished(optimizer, run_id), what="a run")
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)

    runs = [await _run(optimizer, run_id) for run_id in run_ids]
    assert [(run["status"], run["attempts"]) for run in runs] == [("succeeded", 1)] * 4


async def test_a_stopping_worker_hands_its_run_back_to_the_queue_at_once(optimizer):
    run_id = await _queue(optimizer, tiny_problem(1, time_limit_seconds=120))
    stop = asyncio.Event()
    task = asyncio.create_task(optimizer.worker(solve=solves.never_ending).run(stop))
    await wait_until(lambda: _claimed(optimizer, run_id), what="the run claimed")
    await asyncio.sleep(1)

    stop.set()
    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(task, timeout=30)

    assert asyncio.get_running_loop().time() - started < 5
    run = await _run(optimizer, run_id)
    assert (run["status"], run["attempts"], run["claim_id"]) == ("queued", 0, None)


async def _claimed(optimizer, run_id: uuid.UUID) -> bool:
    return (await _run(optimizer, run_id))["status"] == "running"


async def test_a_worker_solving_longer_than_its_lease_keeps_the_run_by_renewing_it(optimizer):
    run_id = await _queue(optimizer, tiny_problem(3, time_limit_seconds=4))
    stop = asyncio.Event()
    workers = [
        optimizer.worker(lease_seconds=1, solve=solves.two_seconds_then_solved) for _ in range(2)
    ]
    tasks = [asyncio.create_task(worker.run(stop)) for worker in workers]
    try:
        run = await wait_until(lambda: _finished(optimizer, run_id), what="the run finished")
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)

    assert run["finished_at"] - run["started_at"] > timedelta(seconds=1.5)  # the lease is 1 s
    assert (run["status"], run["attempts"]) == ("succeeded", 1)


async def test_a_solve_that_overruns_its_time_limit_is_stopped_and_the_run_failed(optimizer):
    run_id = await _queue(optimizer, tiny_problem(3, time_limit_seconds=1))
    async with optimizer.running(overrun_seconds=0.5, solve=solves.never_ending):
        run = await wait_until(lambda: _finished(optimizer, run_id), what="the run finished")

    assert run["status"] == "failed"
    assert run["result"]["failure"]["reason"] == "solver_error"
    assert "still running" in run["result"]["failure"]["message"]
