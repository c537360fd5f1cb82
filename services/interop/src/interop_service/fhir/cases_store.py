"""The read model of cases in the database: a case's row to and from its `CaseRecord`, and the
queries the FHIR API and the Slots of rooms ask of it."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from contracts.events.scheduling_surgeries import SurgeryStatus
from contracts.vocabulary import SurgeryPriority
from sqlalchemy import (
    Column,
    ColumnElement,
    Row,
    Select,
    and_,
    false,
    func,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from interop_service.db.fhir_cases import fhir_cases
from interop_service.db.fhir_resources import fhir_staff
from interop_service.domain import fhir_cases_terms as terms
from interop_service.domain.fhir_cases_access import (
    CaseTies,
    Reader,
    Scope,
    appointment_scope,
    order_scope,
    patient_scope,
)
from interop_service.domain.fhir_cases_fhir import documents_of
from interop_service.domain.fhir_cases_record import (
    HOLDING,
    Assignment,
    Booked,
    CaseRecord,
    Request,
)

t = fhir_cases
_HOLDING = sorted(s.value for s in HOLDING)
NO_SHOW_REASON = terms.NO_SHOW_REASON


async def booked_spans(
    session: AsyncSession, room_ids: Collection[uuid.UUID], start: datetime, end: datetime
) -> dict[uuid.UUID, list[tuple[datetime, datetime]]]:
    """Per room, the spans its bookings take it (setup to cleanup) that overlap `start`-`end`,
    in order: what a Slot shows busy. Rooms without a booking there are left out."""
    rows = await session.execute(
        select(t.c.room_id, t.c.room_from, t.c.room_until)
        .where(
            t.c.room_id.in_(list(room_ids)),
            t.c.room_from < end,
            t.c.room_until > start,
            t.c.status.in_(_HOLDING),
        )
        .order_by(t.c.room_id, t.c.room_from)
    )
    spans: dict[uuid.UUID, list[tuple[datetime, datetime]]] = defaultdict(list)
    for room_id, taken_from, taken_until in rows:
        spans[room_id].append((taken_from, taken_until))
    return dict(spans)


async def find(
    session: AsyncSession, case_id: uuid.UUID, *, lock: bool = False
) -> CaseRecord | None:
    query = select(t).where(t.c.case_id == case_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    return record_of(row) if row is not None else None


async def save(session: AsyncSession, record: CaseRecord) -> None:
    """Stores the case with its FHIR resources rendered (and so validated) once, now."""
    documents = documents_of(record)
    values = _columns_of(record) | {
        "appointment_json": documents.appointment,
        "appointment_masked_json": documents.appointment_masked,
        "order_json": documents.order,
        "order_masked_json": documents.order_masked,
    }
    upsert = insert(t).values(case_id=record.case_id, **values)
    await session.execute(
        upsert.on_conflict_do_update(
            index_elements=[t.c.case_id], set_={**values, "updated_at": func.now()}
        )
    )


def record_of(row: Row[Any]) -> CaseRecord:
    return CaseRecord(
        case_id=row.case_id,
        status=SurgeryStatus(row.status),
        request=_request_of(row),
        requested_at=row.requested_at,
        request_as_of=row.request_as_of,
        reason_code=row.reason_code,
        was_booked=row.was_booked,
        booking=_booking_of(row),
        booking_as_of=row.booking_as_of,
        wheels_in=row.wheels_in,
        wheels_out=row.wheels_out,
        status_as_of=row.status_as_of,
    )


def _request_of(row: Row[Any]) -> Request | None:
    if row.request_as_of is None:
        return None
    return Request(
        patient_mrn=row.patient_mrn,
        procedure_code=row.procedure_code,
        procedure_name=row.procedure_name,
        procedure_system=row.procedure_system,
        surgeon_id=row.surgeon_id,
        requested_by=row.requested_by,
        priority=SurgeryPriority(row.priority),
        duration_minutes=row.duration_minutes,
    )


def _booking_of(row: Row[Any]) -> Booked | None:
    if row.room_id is None:
        return None
    return Booked(
        room_id=row.room_id,
        start=row.starts_at,
        end=row.ends_at,
        room_from=row.room_from,
        room_until=row.room_until,
        staff=tuple(Assignment(uuid.UUID(a["staff_id"]), a["role"]) for a in row.staff),
        unit_ids=tuple(row.unit_ids),
    )


def _columns_of(record: CaseRecord) -> dict[str, Any]:
    request, booking = record.request, record.booking
    return {
        "patient_mrn": request.patient_mrn if request else None,
        "procedure_code": request.procedure_code if request else None,
        "procedure_name": request.procedure_name if request else None,
        "procedure_system": request.procedure_system if request else None,
        "surgeon_id": request.surgeon_id if request else None,
        "requested_by": request.requested_by if request else None,
        "priority": request.priority.value if request else None,
        "duration_minutes": request.duration_minutes if request else None,
        "requested_at": record.requested_at,
        "request_as_of": record.request_as_of,
        "status": record.status.value,
        "reason_code": record.reason_code,
        "was_booked": record.was_booked,
        "booking_as_of": record.booking_as_of,
        "wheels_in": record.wheels_in,
        "wheels_out": record.wheels_out,
        "status_as_of": record.status_as_of,
        "staff_ids": list(record.practitioner_ids),
        **_booking_columns(booking),
    }


def _booking_columns(booking: Booked | None) -> dict[str, Any]:
    return {
        "room_id": booking.room_id if booking else None,
        "starts_at": booking.start if booking else None,
        "ends_at": booking.end if booking else None,
        "room_from": booking.room_from if booking else None,
        "room_until": booking.room_until if booking else None,
        "staff": [{"staff_id": str(a.staff_id), "role": a.role} for a in booking.staff]
        if booking
        else [],
        "unit_ids": list(booking.unit_ids) if booking else [],
    }


# ---------------------------------------------------------------------------------------------
# Searches: what the FHIR API asks, as conditions on the table


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """One search's conditions, already read from its parameters (each list is OR, the fields
    AND); `starts_from`/`starts_before` bound the booked start, half-open."""

    starts_from: tuple[datetime, ...] = ()
    starts_before: tuple[datetime, ...] = ()
    # None: not asked; empty: asked for nothing that can be ours, so nothing matches.
    room_ids: tuple[uuid.UUID, ...] | None = None
    practitioner_ids: tuple[uuid.UUID, ...] | None = None
    performer_ids: tuple[uuid.UUID, ...] | None = None
    appointment_statuses: tuple[str, ...] | None = None
    order_statuses: tuple[SurgeryStatus, ...] | None = None
    patient_mrns: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Shown:
    """A case's resource of one type as it leaves, with and without the patient (only the
    ones the reader may get are read), and who is on the case, to judge which one they get."""

    case_id: uuid.UUID
    ties: CaseTies
    full: str | None
    masked: str | None


@dataclass(frozen=True, slots=True)
class Page:
    shown: list[Shown]
    total: int


Kind = Literal["appointment", "order"]
_DOCUMENTS: dict[Kind, tuple[Column[Any], Column[Any]]] = {
    "appointment": (t.c.appointment_json, t.c.appointment_masked_json),
    "order": (t.c.order_json, t.c.order_masked_json),
}


def _shown(kind: Kind, reader: Reader) -> Select[Any]:
    """The cases that have a `kind` resource: its documents the reader may get, and the ties.
    A planner never gets the masked one, a viewer never the full one: neither is read."""
    full, masked = _DOCUMENTS[kind]
    scope = patient_scope(reader.roles)
    return select(
        t.c.case_id,
        t.c.surgeon_id,
        t.c.requested_by,
        t.c.staff_ids,
        (full if scope is not Scope.NONE else null()).label("full"),
        (masked if scope is not Scope.EVERY else null()).label("masked"),
    ).where(full.is_not(None))


def _shown_of(row: Row[Any]) -> Shown:
    ties = CaseTies(row.surgeon_id, row.requested_by, frozenset(row.staff_ids))
    return Shown(row.case_id, ties, row.full, row.masked)


async def shown(
    session: AsyncSession, kind: Kind, case_id: uuid.UUID, reader: Reader
) -> Shown | None:
    """One case's Appointment or ServiceRequest, if it has one."""
    query = _shown(kind, reader).where(t.c.case_id == case_id)
    row = (await session.execute(query)).first()
    return _shown_of(row) if row is not None else None


async def appointments(
    session: AsyncSession, wanted: CaseFilter, reader: Reader, offset: int, count: int
) -> Page:
    """Appointments, by start then id, of the cases `reader` may see as Appointments."""
    conditions = [within(appointment_scope(reader.roles), reader), *_conditions(wanted, reader)]
    order = [t.c.starts_at, t.c.case_id]
    return await _page(session, _shown("appointment", reader), conditions, order, offset, count)


async def orders(
    session: AsyncSession, wanted: CaseFilter, reader: Reader, offset: int, count: int
) -> Page:
    """ServiceRequests, oldest first, of the cases `reader` may see as orders."""
    conditions = [within(order_scope(reader.roles), reader), *_conditions(wanted, reader)]
    order = [t.c.requested_at.asc().nulls_last(), t.c.case_id]
    return await _page(session, _shown("order", reader), conditions, order, offset, count)


async def _page(
    session: AsyncSession,
    query: Select[Any],
    conditions: list[ColumnElement[bool]],
    order: list[Any],
    offset: int,
    count: int,
) -> Page:
    """One page and the number of matches, in one round trip (the count is a window over the
    matches, taken before the page is cut); a page past the end asks for the count alone."""
    query = query.where(*conditions)
    if count > 0:
        paged = query.add_columns(func.count().over().label("total"))
        rows = (await session.execute(paged.order_by(*order).offset(offset).limit(count))).all()
        if rows:
            return Page([_shown_of(row) for row in rows], rows[0].total)
    counted = select(func.count()).select_from(query.subquery())
    return Page([], (await session.execute(counted)).scalar_one())


def _conditions(wanted: CaseFilter, reader: Reader) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [t.c.starts_at >= at for at in wanted.starts_from]
    found += [t.c.starts_at < at for at in wanted.starts_before]
    if wanted.room_ids is not None:
        found.append(t.c.room_id.in_(wanted.room_ids))
    if wanted.practitioner_ids is not None:
        found.append(t.c.staff_ids.overlap(list(wanted.practitioner_ids)))
    if wanted.performer_ids is not None:
        found.append(t.c.surgeon_id.in_(wanted.performer_ids))
    if wanted.appointment_statuses is not None:
        found.append(or_(false(), *(_appointment_status(s) for s in wanted.appointment_statuses)))
    if wanted.order_statuses is not None:
        found.append(t.c.status.in_([s.value for s in wanted.order_statuses]))
    if wanted.patient_mrns is not None:
        # Only among the cases whose patient the reader may see: a search is no oracle.
        found += [
            t.c.patient_mrn.in_(wanted.patient_mrns),
            within(patient_scope(reader.roles), reader),
        ]
    return found


_NO_SHOW = and_(t.c.reason_code == NO_SHOW_REASON, t.c.room_id.is_not(None))


def _appointment_status(status: str) -> ColumnElement[bool]:
    """Where the case's Appointment has `status` (`fhir_cases_terms.appointment_status`)."""
    ours = [
        s.value
        for s in SurgeryStatus
        if terms.appointment_status(s, was_booked=True, has_booking=False, reason_code=None)
        == status
    ]
    if status == "noshow":
        return and_(t.c.status == SurgeryStatus.CANCELLED.value, _NO_SHOW)
    if status == "cancelled":
        return and_(t.c.status == SurgeryStatus.CANCELLED.value, ~_NO_SHOW)
    return t.c.status.in_(ours) if ours else false()


def within(scope: Scope, reader: Reader) -> ColumnElement[bool]:
    """`scope` as a condition: the cases `fhir_cases_access.covers` admits. `staff_ids` holds
    the surgeon and everyone the booking assigns."""
    if scope is Scope.EVERY:
        return true()
    if scope is Scope.NONE:
        return false()
    on_case = t.c.requested_by == reader.user_id
    if reader.staff_ids:
        on_case = or_(on_case, t.c.staff_ids.overlap(list(reader.staff_ids)))
    return on_case


async def linked_staff(session: AsyncSession, user_id: uuid.UUID) -> frozenset[uuid.UUID]:
    """The staff members linked to a user (resources' `StaffMember.user_id`, in the snapshot
    the read model of resources keeps)."""
    linked = await session.scalars(
        select(fhir_staff.c.staff_id).where(fhir_staff.c.snapshot["user_id"].astext == str(user_id))
    )
    return frozenset(linked)
