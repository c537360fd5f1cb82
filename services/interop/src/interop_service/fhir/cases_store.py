"""The read model of cases in the database: a case's row to and from its `CaseRecord`, and the
busy spans the Slots of rooms ask of it (the FHIR searches are `cases_queries.py`)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.events.scheduling_surgeries import SurgeryStatus
from contracts.vocabulary import SurgeryPriority
from sqlalchemy import Row, Select, Subquery, bindparam, func, literal_column, select, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from interop_service.db.fhir_cases import fhir_cases
from interop_service.db.orders import service_requests
from interop_service.domain.fhir_cases_fhir import Placer, documents_of
from interop_service.domain.fhir_cases_record import (
    HOLDING,
    Assignment,
    Booked,
    CaseRecord,
    Request,
)

t = fhir_cases
# Columns an upsert leaves alone: the key, and the stamp it sets itself.
_KEPT = frozenset({"case_id", "updated_at"})
_HOLDING = sorted(s.value for s in HOLDING)


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


@dataclass(frozen=True, slots=True)
class Locked:
    """A case's row locked for a change (None before its first event), and the placer's order
    number it is rendered with, read in the same round trip."""

    record: CaseRecord | None
    placer: Placer | None


async def find_locked(session: AsyncSession, case_id: uuid.UUID) -> Locked:
    row = (await session.execute(_LOCKED, {"case_id": case_id})).first()
    if row is None:  # a case's first event: its order, if placed through FHIR, came before
        return Locked(None, await _placer_of(session, case_id))
    return locked_of(row)


def locked_with(other: Subquery) -> Select[Any]:
    """`find_locked`'s read and `other`'s (a subquery of at most one row, locking what it
    reads, `case_id` bound) in one round trip: one row, whose `other` columns are None where
    it read nothing and whose case columns are None before the case's first event (`held_of`).
    Each subquery keeps its own `FOR UPDATE`: PostgreSQL does not flatten a locking one."""
    case = (
        select(*_RECORD_COLUMNS)
        .where(t.c.case_id == bindparam("case_id"))
        .with_for_update()
        .subquery("fhir_case")
    )
    one = select(literal_column("1").label("one")).subquery("one")
    return select(case, _orders.placer_system, _orders.placer_value, other).select_from(
        one.outerjoin(case, true())
        .outerjoin(service_requests, _orders.case_id == bindparam("case_id"))
        .outerjoin(other, true())
    )


def held_of(row: Row[Any]) -> Locked:
    """A row of a `locked_with` statement as `find_locked` answers it."""
    if row.case_id is None:
        placed = row.placer_value is not None
        return Locked(None, Placer(row.placer_system or None, row.placer_value) if placed else None)
    return locked_of(row)


def locked_of(row: Row[Any]) -> Locked:
    placer = Placer(row.placer_system or None, row.placer_value) if row.placer_value else None
    return Locked(record_of(row), placer)


async def save(session: AsyncSession, record: CaseRecord, placer: Placer | None) -> None:
    """Stores the case with its FHIR resources rendered (and so validated) once, now."""
    await session.execute(_UPSERT, _values_of(record, placer))


def saving(record: CaseRecord, placer: Placer | None) -> dict[str, Any]:
    """`save`'s parameters for `SAVE_CTE`, in a statement that writes more (`case_events.py`):
    each prefixed `fhir_`."""
    return {f"fhir_{name}": value for name, value in _values_of(record, placer).items()}


def _values_of(record: CaseRecord, placer: Placer | None) -> dict[str, Any]:
    documents = documents_of(record, placer)
    return _columns_of(record) | {
        "case_id": record.case_id,
        "appointment_json": documents.appointment,
        "appointment_masked_json": documents.appointment_masked,
        "order_json": documents.order,
        "order_masked_json": documents.order_masked,
    }


async def _placer_of(session: AsyncSession, case_id: uuid.UUID) -> Placer | None:
    """The placer's order number, when the case was ordered through FHIR (`db/orders.py`)."""
    row = (await session.execute(_PLACER, {"case_id": case_id})).first()
    return Placer(row.placer_system or None, row.placer_value) if row is not None else None


# Built once: a statement built per call cost the consumer more than its execution.
_orders = service_requests.c
_DOCUMENTS = ("appointment_json", "appointment_masked_json", "order_json", "order_masked_json")
_RECORD_COLUMNS = [c for c in t.columns if c.name not in (*_DOCUMENTS, "updated_at")]
_LOCKED: Select[Any] = (
    select(*_RECORD_COLUMNS, _orders.placer_system, _orders.placer_value)
    .select_from(t.outerjoin(service_requests, _orders.case_id == t.c.case_id))
    .where(t.c.case_id == bindparam("case_id"))
    .with_for_update(of=t)
)
_PLACER = select(_orders.placer_system, _orders.placer_value).where(
    _orders.case_id == bindparam("case_id")
)
_insert = insert(t)
_UPSERT = _insert.on_conflict_do_update(
    index_elements=[t.c.case_id],
    set_={
        **{c.name: _insert.excluded[c.name] for c in t.columns if c.name not in _KEPT},
        "updated_at": func.now(),
    },
)

# `save` as a CTE of another statement, its parameters `saving`'s.
SAVE_CTE = _UPSERT.values(
    {c.name: bindparam(f"fhir_{c.name}", type_=c.type) for c in t.columns if c.name not in _KEPT}
    | {"case_id": bindparam("fhir_case_id", type_=t.c.case_id.type)}
).cte("fhir_case_saved")


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
