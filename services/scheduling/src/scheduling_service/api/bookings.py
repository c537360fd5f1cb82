"""Booking a case or moving its booking, and the dry run that only tells what is in the way."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from servicekit.deps import UnitOfWorkDep
from servicekit.etags import etag

from scheduling_service.api.deps import IfMatch, PlannerDep, SettingsDep
from scheduling_service.api.schemas.bookings import BookingCheck, BookingRequest, ConflictPublic
from scheduling_service.api.schemas.surgeries import SurgeryPublic
from scheduling_service.booking import booking

router = APIRouter(prefix="/surgeries", tags=["bookings"])


@router.put(
    "/{surgery_id}/booking",
    summary="Book a waiting case, or move a booked one",
    responses={
        409: {
            "description": "The booking breaks a rule or lost a race; `conflicts` names every "
            "conflict: resource, interval, other case."
        },
        412: {"description": "`If-Match` names an older version of the case."},
    },
)
async def put_booking(
    surgery_id: uuid.UUID,
    body: BookingRequest,
    planner: PlannerDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> SurgeryPublic:
    """The room is held from setup to cleanup, the people for the surgery, each unit for the
    surgery and its turnaround. A confirmed case that moves is scheduled again."""
    row, current = await booking.book(
        uow,
        surgery_id,
        body.placement(),
        settings=settings,
        actor=planner,
        reason_code=body.reason_code,
        if_match=if_match,
    )
    response.headers["ETag"] = etag(row.version)
    return SurgeryPublic.of(row, current)


@router.post("/{surgery_id}/booking/check", summary="Dry run: what would be in the booking's way")
async def check_booking(
    surgery_id: uuid.UUID,
    body: BookingRequest,
    planner: PlannerDep,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
) -> BookingCheck:
    """Writes nothing but the audit entry; the case's own booking is no obstacle to a move."""
    found = await booking.dry_run(
        uow, surgery_id, body.placement(), settings=settings, actor=planner
    )
    return BookingCheck(fits=not found, conflicts=[ConflictPublic.of(c, surgery_id) for c in found])
