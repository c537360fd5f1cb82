"""The waiting list and each case's lifecycle: request, list, read, correct, confirm, wheels
in and out, postpone, cancel."""

from __future__ import annotations

import uuid
from typing import Annotated

from contracts.events.scheduling_surgeries import SurgeryStatus
from contracts.values import ScheduleDate
from contracts.vocabulary import SurgeryPriority
from fastapi import APIRouter, Query, Response
from servicekit.app import gateway_prefix
from servicekit.deps import AuditedReadDep, DirectReadsDep, RuntimeDep, UnitOfWorkDep
from servicekit.error_responses import CREATED_AT_LOCATION
from servicekit.etags import etag
from servicekit.pages import PageRequestDep

from scheduling_service.api.deps import ClinicianDep, IfMatch, PlannerDep, ReaderDep, RequesterDep
from scheduling_service.api.schemas.case_history import CaseHistory, CaseHistoryLine
from scheduling_service.api.schemas.case_moves import CaseStop, RoomTime
from scheduling_service.api.schemas.surgeries import (
    SurgeryCreate,
    SurgeryPage,
    SurgeryPublic,
    SurgeryUpdate,
    page_json,
)
from scheduling_service.cases import case_moves, surgeries
from scheduling_service.domain.waiting_list import SortKey
from scheduling_service.views import case_history

router = APIRouter(prefix="/surgeries", tags=["surgeries"])


@router.post(
    "",
    status_code=201,
    summary="Put a surgery request on the waiting list",
    responses=CREATED_AT_LOCATION,
)
async def create_surgery(
    body: SurgeryCreate,
    requester: RequesterDep,
    uow: UnitOfWorkDep,
    runtime: RuntimeDep,
    response: Response,
) -> SurgeryPublic:
    """A surgeon may request cases only for themselves (the staff member linked to their user);
    coordinators and admins for any active surgeon."""
    surgery_id = await surgeries.create(uow, body.command(), requester=requester)
    response.headers["Location"] = f"{gateway_prefix(runtime.service)}/surgeries/{surgery_id}"
    return await _committed(uow, surgery_id, response)


@router.get("", summary="The waiting list, filtered and sorted", response_model=SurgeryPage)
async def list_surgeries(
    reader: ReaderDep,
    uow: AuditedReadDep,
    page: PageRequestDep,
    status: Annotated[list[SurgeryStatus] | None, Query(description="Any of these.")] = None,
    priority: Annotated[list[SurgeryPriority] | None, Query(description="Any of these.")] = None,
    surgeon_id: uuid.UUID | None = None,
    specialty: Annotated[str | None, Query(max_length=63)] = None,
    due_before: Annotated[
        ScheduleDate | None, Query(description="Due on or before this date.")
    ] = None,
    due_after: Annotated[
        ScheduleDate | None, Query(description="Due on or after this date.")
    ] = None,
    waiting: Annotated[
        bool | None, Query(description="true: requested or postponed; false: neither.")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Part of the procedure code or name, or of the MRN of a case whose patient "
            "you see.",
        ),
    ] = None,
    sort: Annotated[
        SortKey,
        Query(description="priority ranks emergency, urgent, elective; undated cases last."),
    ] = "priority",
) -> Response:
    """Admins, coordinators and viewers list every case (viewers without patients: null
    `patient_mrn` and `notes`); surgeons, anaesthetists and nurses the cases they are on."""
    where = surgeries.SurgeryFilter(
        statuses=tuple(s.value for s in status or ()),
        priorities=tuple(p.value for p in priority or ()),
        surgeon_id=surgeon_id,
        specialty=specialty,
        due_before=due_before,
        due_after=due_after,
        waiting=waiting,
        search=q,
        sort=sort,
    )
    found, total = await surgeries.listed(uow, where, page, reader=reader)
    cases = [(case.row, case.booking, case.patient_shown) for case in found]
    body = page_json(cases, total=total, offset=page.offset, limit=page.limit)
    return Response(body, media_type="application/json")


@router.get(
    "/{surgery_id}",
    summary="One surgery request with its booking",
    responses={404: {"description": "No such case, or one you may not see (the same answer)."}},
)
async def get_surgery(
    surgery_id: uuid.UUID,
    reader: ReaderDep,
    uow: AuditedReadDep,
    reads: DirectReadsDep,
    response: Response,
) -> SurgeryPublic:
    """Admins and coordinators read every case; surgeons, anaesthetists and nurses the cases
    they are on; viewers every case without its patient (`patient_mrn` and `notes` null). A
    case the caller may not see is answered `404`, as one that does not exist."""
    case = await surgeries.read(uow, reads, surgery_id, reader=reader)
    return _shaped(case, response)


@router.get(
    "/{surgery_id}/history",
    summary="A case's history: who moved it, when and why",
    responses={404: {"description": "No such case, or one you may not see (the same answer)."}},
)
async def get_surgery_history(
    surgery_id: uuid.UUID, reader: ReaderDep, uow: AuditedReadDep
) -> CaseHistory:
    """Every move of the case's lifecycle, oldest first, with the booking it had then; read by
    whoever may read the case, and audited as `surgery.history.read`."""
    lines = await case_history.read(uow, surgery_id, reader=reader)
    return CaseHistory(surgery_id=surgery_id, items=[CaseHistoryLine.of(line) for line in lines])


@router.put(
    "/{surgery_id}",
    summary="Correct the request of a case on the waiting list",
    responses={428: {"description": "No `If-Match`: a correction must name the version read."}},
)
async def correct_surgery(
    surgery_id: uuid.UUID,
    body: SurgeryUpdate,
    requester: RequesterDep,
    uow: UnitOfWorkDep,
    response: Response,
    if_match: IfMatch = None,
) -> SurgeryPublic:
    """Only while the case is requested or postponed; `If-Match` is required (428 without it).
    A surgeon corrects only their own cases."""
    await surgeries.correct(uow, surgery_id, body.command(), requester=requester, if_match=if_match)
    return await _committed(uow, surgery_id, response)


@router.post("/{surgery_id}/confirm", summary="Confirm a scheduled case")
async def confirm_surgery(
    surgery_id: uuid.UUID,
    planner: PlannerDep,
    uow: UnitOfWorkDep,
    response: Response,
    if_match: IfMatch = None,
) -> SurgeryPublic:
    await case_moves.confirm(uow, surgery_id, by=planner, if_match=if_match)
    return await _committed(uow, surgery_id, response)


@router.post(
    "/{surgery_id}/wheels-in",
    summary="Record that the case came into the room",
    description="By the people assigned to the case (its surgeon or anyone its booking "
    "assigns), or a coordinator or admin; anyone else is answered `403`.",
)
async def wheels_in(
    surgery_id: uuid.UUID,
    clinician: ClinicianDep,
    uow: UnitOfWorkDep,
    response: Response,
    body: RoomTime | None = None,
    if_match: IfMatch = None,
) -> SurgeryPublic:
    at = body.at if body else None
    await case_moves.wheels_in(uow, surgery_id, at, by=clinician, if_match=if_match)
    return await _committed(uow, surgery_id, response)


@router.post(
    "/{surgery_id}/wheels-out",
    summary="Record that the case left the room",
    description="By the people assigned to the case, or a coordinator or admin, as wheels-in.",
)
async def wheels_out(
    surgery_id: uuid.UUID,
    clinician: ClinicianDep,
    uow: UnitOfWorkDep,
    response: Response,
    body: RoomTime | None = None,
    if_match: IfMatch = None,
) -> SurgeryPublic:
    at = body.at if body else None
    await case_moves.wheels_out(uow, surgery_id, at, by=clinician, if_match=if_match)
    return await _committed(uow, surgery_id, response)


@router.post("/{surgery_id}/postpone", summary="Postpone a booked case back to the waiting list")
async def postpone_surgery(
    surgery_id: uuid.UUID,
    body: CaseStop,
    planner: PlannerDep,
    uow: UnitOfWorkDep,
    response: Response,
    if_match: IfMatch = None,
) -> SurgeryPublic:
    await case_moves.postpone(
        uow, surgery_id, body.reason_code, body.reason, by=planner, if_match=if_match
    )
    return await _committed(uow, surgery_id, response)


@router.post("/{surgery_id}/cancel", summary="Cancel a case that has not started")
async def cancel_surgery(
    surgery_id: uuid.UUID,
    body: CaseStop,
    planner: PlannerDep,
    uow: UnitOfWorkDep,
    response: Response,
    if_match: IfMatch = None,
) -> SurgeryPublic:
    await case_moves.cancel(
        uow, surgery_id, body.reason_code, body.reason, by=planner, if_match=if_match
    )
    return await _committed(uow, surgery_id, response)


async def _committed(
    uow: UnitOfWorkDep, surgery_id: uuid.UUID, response: Response
) -> SurgeryPublic:
    """The case as the committed change left it, read after the use case's commit."""
    return _shaped(await surgeries.current(uow.session, surgery_id), response)


def _shaped(case: surgeries.Case, response: Response) -> SurgeryPublic:
    response.headers["ETag"] = etag(case.row.version)
    return SurgeryPublic.of(case.row, case.booking, patient_shown=case.patient_shown)
