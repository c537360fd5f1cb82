"""A case as the FHIR read model knows it, and how each event of `scheduling.surgeries.v1`
changes it.

A case has three parts, each set whole by the events that carry it and stamped with the
`occurred_at` of the last one applied: the request (`SurgeryRequested`, `SurgeryRequestChanged`),
the booking (`SurgeryScheduled`, `SurgeryRescheduled`, and a postponement, which frees it) and
the status (every event after the request). An event older than a part's stamp leaves that part
alone, so a redelivery or a replay after newer events changes nothing, and events that arrive
out of order (one parked in a DLQ, replayed later) converge on the case read in order.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from contracts.envelope import Event
from contracts.events.scheduling_surgeries import (
    Booking,
    SurgeryCancelled,
    SurgeryRequestChanged,
    SurgeryRequested,
    SurgeryRescheduled,
    SurgeryScheduled,
    SurgeryStatus,
    SurgeryStatusChanged,
)
from contracts.vocabulary import SurgeryPriority

# Statuses whose booking holds the room (a completed case's stays, as what happened).
_S = SurgeryStatus
HOLDING = frozenset({_S.SCHEDULED, _S.CONFIRMED, _S.IN_ROOM, _S.COMPLETED})


@dataclass(frozen=True, slots=True)
class Request:
    """What was asked for: the patient by MRN only, the procedure, surgeon and priority."""

    patient_mrn: str
    procedure_code: str
    procedure_name: str
    procedure_system: str | None
    surgeon_id: uuid.UUID
    requested_by: uuid.UUID
    priority: SurgeryPriority
    duration_minutes: int


@dataclass(frozen=True, slots=True)
class Assignment:
    staff_id: uuid.UUID
    role: str


@dataclass(frozen=True, slots=True)
class Booked:
    """The booking: the surgery from `start` to `end`, the room from setup to cleanup."""

    room_id: uuid.UUID
    start: datetime
    end: datetime
    room_from: datetime
    room_until: datetime
    staff: tuple[Assignment, ...] = ()
    unit_ids: tuple[uuid.UUID, ...] = ()

    @classmethod
    def of(cls, booking: Booking) -> Booked:
        return cls(
            room_id=booking.room_id,
            start=booking.start,
            end=booking.end,
            room_from=booking.room_taken_from,
            room_until=booking.room_taken_until,
            staff=tuple(Assignment(a.staff_id, a.role.value) for a in booking.staff),
            unit_ids=tuple(booking.equipment_unit_ids),
        )


@dataclass(frozen=True, slots=True)
class CaseRecord:
    case_id: uuid.UUID
    status: SurgeryStatus
    request: Request | None = None
    requested_at: datetime | None = None
    request_as_of: datetime | None = None
    reason_code: str | None = None
    # Once booked, a case has an Appointment for good: postponed, cancelled or done.
    was_booked: bool = False
    # The booking it holds; a cancelled case keeps the one it lost, a postponed one none.
    booking: Booked | None = None
    booking_as_of: datetime | None = None
    wheels_in: datetime | None = None
    wheels_out: datetime | None = None
    status_as_of: datetime | None = None

    @property
    def holds_room(self) -> bool:
        return self.booking is not None and self.status in HOLDING

    @property
    def practitioner_ids(self) -> tuple[uuid.UUID, ...]:
        """The surgeon, then everyone the booking assigns: once each."""
        surgeon = (self.request.surgeon_id,) if self.request else ()
        booked = tuple(a.staff_id for a in self.booking.staff) if self.booking else ()
        return tuple(dict.fromkeys(surgeon + booked))


REQUEST_EVENTS = (SurgeryRequested, SurgeryRequestChanged)
LIFECYCLE_EVENTS = (SurgeryScheduled, SurgeryRescheduled, SurgeryCancelled, SurgeryStatusChanged)


def apply(record: CaseRecord | None, event: Event, at: datetime) -> CaseRecord | None:
    """The case after `event` (which occurred `at`), or None when it changes nothing."""
    if isinstance(event, REQUEST_EVENTS):
        after = _with_request(record, event, at)
    elif isinstance(event, LIFECYCLE_EVENTS):
        after = _with_lifecycle(record, event, at)
    else:
        return None
    return None if after == record else after


def _with_request(
    record: CaseRecord | None, event: SurgeryRequested | SurgeryRequestChanged, at: datetime
) -> CaseRecord:
    case = record or CaseRecord(event.surgery_id, SurgeryStatus.REQUESTED)
    if isinstance(event, SurgeryRequested):
        case = replace(case, requested_at=at)
    if case.request_as_of is not None and at < case.request_as_of:
        return case
    return replace(case, request=_request_of(event), request_as_of=at)


def _request_of(event: SurgeryRequested | SurgeryRequestChanged) -> Request:
    return Request(
        patient_mrn=event.patient_mrn,
        procedure_code=event.procedure.code,
        procedure_name=event.procedure.name,
        procedure_system=event.procedure.coding_system,
        surgeon_id=event.surgeon_id,
        requested_by=event.requested_by,
        priority=event.priority,
        duration_minutes=event.expected_duration_minutes,
    )


def _with_lifecycle(record: CaseRecord | None, event: Event, at: datetime) -> CaseRecord:
    case = record or CaseRecord(uuid.UUID(event.aggregate_id()), SurgeryStatus.REQUESTED)
    booking = _booking_set_by(event)
    if booking is not False and _newer(at, case.booking_as_of):
        case = replace(case, booking=booking, booking_as_of=at)
    if isinstance(booking, Booked):
        case = replace(case, was_booked=True)
    if _newer(at, case.status_as_of):
        case = replace(_status_set_by(case, event), status_as_of=at)
    return case


def _newer(at: datetime, as_of: datetime | None) -> bool:
    return as_of is None or at >= as_of


def _booking_set_by(event: Event) -> Booked | Literal[False] | None:
    """The booking an event gives the case, None when it frees it, False when it says nothing.

    A cancelled case keeps the booking it lost, as the record of what was cancelled; a
    postponed one is back on the waiting list, its booking gone.
    """
    if isinstance(event, SurgeryScheduled):
        return Booked.of(event.booking)
    if isinstance(event, SurgeryRescheduled):
        return Booked.of(event.new_booking)
    if isinstance(event, SurgeryStatusChanged) and event.to_status is SurgeryStatus.POSTPONED:
        return None
    return False


def _status_set_by(case: CaseRecord, event: Event) -> CaseRecord:
    if isinstance(event, SurgeryScheduled):
        return replace(case, status=SurgeryStatus.SCHEDULED, reason_code=None)
    if isinstance(event, SurgeryRescheduled):
        return replace(case, status=SurgeryStatus.SCHEDULED, reason_code=event.reason_code)
    if isinstance(event, SurgeryCancelled):
        return replace(case, status=SurgeryStatus.CANCELLED, reason_code=event.reason_code)
    assert isinstance(event, SurgeryStatusChanged)
    return replace(
        case,
        status=event.to_status,
        reason_code=event.reason_code,
        wheels_in=event.wheels_in or case.wheels_in,
        wheels_out=event.wheels_out or case.wheels_out,
    )
