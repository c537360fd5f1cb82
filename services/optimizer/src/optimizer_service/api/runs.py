"""Optimization runs: ask for one (what-if planning), read one, list them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from servicekit.app import gateway_prefix
from servicekit.auth import CurrentPrincipal
from servicekit.deps import ReadSessionDep, RuntimeDep
from servicekit.pages import Page, PageRequestDep

from optimizer_service import runs
from optimizer_service.api.deps import PlannerDep
from optimizer_service.api.schemas import RunCreate, RunPublic, RunSource, RunStatus, RunSummary
from optimizer_service.settings import OptimizerSettings

router = APIRouter(prefix="/runs", tags=["runs"])


@router.post(
    "",
    status_code=202,
    summary="Solve a self-contained problem, waiting for the result or not",
    responses={
        200: {"model": RunPublic, "description": "The run finished (mode `wait`)."},
        202: {"description": "The run is queued or running; follow `Location`."},
    },
)
async def create_run(
    body: RunCreate,
    planner: PlannerDep,
    runtime: RuntimeDep[OptimizerSettings],
    response: Response,
) -> RunPublic:
    row = await runs.submit(
        runtime.unit_of_work,
        runtime.settings,
        body.problem,
        planner=body.planner,
        requested_by=planner.user_id,
        wait=body.mode == "wait",
        seed=body.seed,
    )
    run = RunPublic.of(row)
    finished = run.status in ("succeeded", "failed")
    response.status_code = 200 if finished and body.mode == "wait" else 202
    response.headers["Location"] = f"{gateway_prefix(runtime.service)}/runs/{run.run_id}"
    return run


@router.get("/{run_id}", summary="One run: its problem, status and result")
async def get_run(run_id: uuid.UUID, who: CurrentPrincipal, session: ReadSessionDep) -> RunPublic:
    return RunPublic.of(await runs.get(session, run_id))


@router.get("", summary="Runs, newest first, filtered by status and source")
async def list_runs(
    who: CurrentPrincipal,
    session: ReadSessionDep,
    page: PageRequestDep,
    status: RunStatus | None = None,
    source: RunSource | None = None,
) -> Page[RunSummary]:
    where = runs.RunFilter(status=status, source=source)
    rows, total = await runs.list_runs(session, where, page.offset, page.limit)
    items = [RunSummary.of(row) for row in rows]
    return Page(items=items, total=total, offset=page.offset, limit=page.limit)
