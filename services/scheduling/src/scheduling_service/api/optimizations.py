"""Optimizer proposals: ask for one, read its diff against the current plan, apply or reject it."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from servicekit.app import gateway_prefix
from servicekit.deps import AuditedReadDep, RuntimeDep, UnitOfWorkDep
from servicekit.etags import etag
from servicekit.pages import Page, PageRequestDep

from scheduling_service.api.deps import IfMatch, PlannerDep, SettingsDep
from scheduling_service.api.schemas.optimizations import (
    OptimizationCreate,
    OptimizationPublic,
    OptimizationStatus,
    OptimizationSummary,
)
from scheduling_service.planning import optimization_decisions, optimizations

router = APIRouter(prefix="/optimizations", tags=["optimizations"])
_STALE = "`If-Match` names an older version of the optimization."


@router.post(
    "",
    status_code=202,
    summary="Ask the optimizer for a proposal over a horizon",
    responses={
        422: {"description": "Invalid horizon or options, or nothing to plan (no case, no room)."}
    },
)
async def request_optimization(
    body: OptimizationCreate,
    planner: PlannerDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    response: Response,
) -> OptimizationPublic:
    """Builds the whole problem — cases, rooms' open time, staff, equipment units, blocks,
    current bookings — and sends it to the optimizer. Bookings of cases outside the problem keep
    their time: it is not offered. The answer arrives later: poll `GET` until `status` is
    `proposed` or `failed`.

    Without `surgery_ids`, the cases are the ones booked in the horizon in the chosen rooms and
    the waiting cases those rooms could take, most urgent first, up to 3 times what the rooms'
    free minutes and each surgeon's time could hold, and at most 500 (see `surgery_ids`). Only
    the people and units that could serve those cases are offered: their surgeons, and the
    active people of the roles and the units of the kinds they need, with time while a chosen
    room is open — and of people or units alike in role or kind, time and daily maximum, only
    as many as the cases need in all.

    With `mode: emergency`, the horizon and cases are chosen to insert `emergency_surgery_ids`
    today (or tomorrow too) with the fewest moves of booked cases (see `mode`); `422` when an
    emergency is unknown, not waiting, elective or may not start by tomorrow."""
    ask = body.ask(default_time_limit=settings.optimization_time_limit_seconds)
    request_id = await optimizations.request(uow, ask, settings=settings, by=planner)
    found = await optimizations.read(uow.session, request_id)
    response.headers["Location"] = f"{gateway_prefix(runtime.service)}/optimizations/{request_id}"
    return _shaped(found, settings, response)


@router.get("", summary="Optimizations, newest first")
async def list_optimizations(
    planner: PlannerDep,
    uow: AuditedReadDep,
    settings: SettingsDep,
    page: PageRequestDep,
    status: OptimizationStatus | None = None,
) -> Page[OptimizationSummary]:
    rows, total = await optimizations.list_optimizations(uow, page, status=status, by=planner)
    items = [OptimizationSummary.of(row, settings.hospital_timezone) for row in rows]
    return Page(items=items, total=total, offset=page.offset, limit=page.limit)


@router.get("/{request_id}", summary="One optimization; while proposed, its diff and KPIs")
async def get_optimization(
    request_id: uuid.UUID,
    planner: PlannerDep,
    uow: AuditedReadDep,
    settings: SettingsDep,
    response: Response,
) -> OptimizationPublic:
    """While `proposed`: each case against the current plan (moved, added, unchanged,
    unscheduled, unbooked), the plan's KPIs and the solver's report, and `stale` when a case
    changed since the request."""
    found = await optimizations.get(uow, request_id, by=planner)
    return _shaped(found, settings, response)


@router.post(
    "/{request_id}/apply",
    summary="Book every moved and added case where the proposal says, in one transaction",
    responses={
        409: {
            "description": "Not proposed; stale (`stale_case_ids` names the cases that changed "
            "since the request); a locked case not kept where it is (`locked_case_ids`); or a "
            "booking rule now refuses a placement (`conflicts`; `unbooked_in_the_way` names cases "
            "the plan leaves out whose bookings, kept, are in the way)."
        },
        412: {"description": _STALE},
    },
)
async def apply_optimization(
    request_id: uuid.UUID,
    planner: PlannerDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> OptimizationPublic:
    """Every rule is checked again, and every locked case must be where the plan keeps it.
    Cases the plan leaves out (unscheduled, unbooked) are left as they are: a booked case keeps
    its booking, so a placement colliding with it is refused."""
    await optimization_decisions.apply(
        uow, request_id, settings=settings, by=planner, if_match=if_match
    )
    found = await optimizations.read(uow.session, request_id)
    return _shaped(found, settings, response)


@router.post(
    "/{request_id}/reject",
    summary="Discard a proposal, a failed optimization, or a request still unanswered",
    responses={
        409: {"description": "Already applied or rejected."},
        412: {"description": _STALE},
    },
)
async def reject_optimization(
    request_id: uuid.UUID,
    planner: PlannerDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> OptimizationPublic:
    """A request the optimizer has not answered may be rejected too (it may never answer); an
    answer arriving afterwards is ignored."""
    await optimization_decisions.reject(uow, request_id, by=planner, if_match=if_match)
    found = await optimizations.read(uow.session, request_id)
    return _shaped(found, settings, response)


def _shaped(
    found: optimizations.Optimization, settings: SettingsDep, response: Response
) -> OptimizationPublic:
    response.headers["ETag"] = etag(found.row.version)
    return OptimizationPublic.of(found, settings.hospital_timezone)
