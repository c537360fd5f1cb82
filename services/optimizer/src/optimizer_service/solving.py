"""What the solving process runs: a stored problem in, a stored result out.

It runs in a process of its own (spawned), so model building, which holds the GIL for seconds,
never starves the service's event loop: health checks and HTTP stay responsive.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from asyncio import FIRST_COMPLETED
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from contracts.events.optimizer_schedules import FailureReason
from contracts.planning import OptimizationProblem
from pydantic import ValidationError
from servicekit.logs import configure_logging

from optimizer_service import results
from optimizer_service.domain.planner import baseline, optimize

log = logging.getLogger(__name__)


def solve(
    problem: dict[str, Any],
    planner: str,
    workers: int,
    max_time_limit_seconds: float,
    seed: int = 0,
) -> tuple[str, results.Result]:
    """The run's final status and result; never raises for what the problem contains."""
    try:
        parsed = OptimizationProblem.model_validate(problem)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(map(str, first["loc"]))
        message = f"the problem is not valid: {where}: {first['msg']}"
        return "failed", results.failure(FailureReason.INVALID_PROBLEM, message)
    capped = effective_problem(parsed, max_time_limit_seconds)
    if planner == "greedy":
        outcome = baseline(capped)
    else:
        outcome = optimize(capped, workers=workers, seed=seed)
    return results.stored(outcome)


def effective_problem(
    problem: OptimizationProblem, max_time_limit_seconds: float
) -> OptimizationProblem:
    """The problem as solved: a time limit above the service's cap is cut to the cap."""
    if problem.time_limit_seconds <= max_time_limit_seconds:
        return problem
    return problem.model_copy(update={"time_limit_seconds": max_time_limit_seconds})


class SolvingProcess:
    """One spawned process solving one run at a time; restarted when it dies or must be stopped.
    It runs `solve`, or `target` (a module-level function taking the same arguments: tests)."""

    def __init__(
        self,
        service_name: str,
        log_level: str,
        target: Callable[..., tuple[str, results.Result]] | None = None,
    ) -> None:
        self._initargs = (service_name, log_level)
        self._target = target or solve
        self._busy = False
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # `spawn`: a fork of a process running an event loop, threads and sockets is not safe.
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=configure_logging,
            initargs=self._initargs,
        )

    async def solve(
        self, stop: asyncio.Event, deadline_seconds: float, *args: Any
    ) -> tuple[str, results.Result] | None:
        """The result, or None when `stop` came first; an overrun or a crash is a failure."""
        future: asyncio.Future[tuple[str, results.Result]]
        future = asyncio.get_running_loop().run_in_executor(self._pool, self._target, *args)
        stopping: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
        self._busy = True
        try:
            done, _ = await asyncio.wait(
                {future, stopping}, timeout=deadline_seconds, return_when=FIRST_COMPLETED
            )
        finally:
            stopping.cancel()
            self._busy = False
        if future in done:
            return self._result_of(future)
        # Killing the process fails the future; nobody awaits it any more, so retrieve it here.
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        self.restart()
        if stop.is_set():
            return None
        message = f"the solver was still running {deadline_seconds:g} s after it started"
        return "failed", results.failure(FailureReason.SOLVER_ERROR, message)

    def _result_of(
        self, future: asyncio.Future[tuple[str, results.Result]]
    ) -> tuple[str, results.Result]:
        try:
            return future.result()
        except BrokenProcessPool:
            self.restart()
            message = "the solving process died before it finished (out of memory?)"
        except Exception as error:
            log.exception("the solving process failed")
            message = f"the solving process failed: {error!r}"
        return "failed", results.failure(FailureReason.SOLVER_ERROR, message)

    def restart(self) -> None:
        self._kill()
        self._pool = self._start()

    def close(self) -> None:
        if self._busy:
            self._kill()
        else:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _kill(self) -> None:
        # The executor cannot stop a task in progress; terminating its one process can. The
        # process table is private, but it is the only handle on the child we spawned.
        for process in list(getattr(self._pool, "_processes", {}).values()):
            process.terminate()
        self._pool.shutdown(wait=False, cancel_futures=True)
