"""A case as the FHIR read model knows it, and how each event of `scheduling.surgeries.v1`
changes it.

A case has two parts, each set whole by its own events and stamped with the `occurred_at` of
the last one applied: the request (`SurgeryRequested`, `SurgeryRequestChanged`) and the
lifecycle (status and booking: every other event). An event older than its part's stamp is
stale and changes nothing, so a redelivery or a replay after newer events is harmless, and a
lifecycle event that arrives before its request (a request parked in a DLQ, replayed later)
still converges to the same case.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

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
    wheels_in: datetime | None = None
    wheels_out: datetime | None = None
    lifecycle_as_of: datetime | None = None

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
    case = record or CaseRecord(_case_id(event), SurgeryStatus.REQUESTED)
    if case.lifecycle_as_of is not None and at < case.lifecycle_as_of:
        return case
    return replace(_moved(case, event), lifecycle_as_of=at)


def _case_id(event: Event) -> uuid.UUID:
    return uuid.UUID(event.aggregate_id())


def _moved(case: CaseRecord, event: Event) -> CaseRecord:
    if isinstance(event, SurgeryScheduled):
        return _booked(case, event.booking, None)
    if isinstance(event, SurgeryRescheduled):
        return _booked(case, event.new_booking, event.reason_code)
    if isinstance(event, SurgeryCancelled):
        return replace(case, status=SurgeryStatus.CANCELLED, reason_code=event.reason_code)
    assert isinstance(event, SurgeryStatusChanged)
    return _status_changed(case, event)


def _booked(case: CaseRecord, booking: Booking, reason_code: str | None) -> CaseRecord:
    return replace(
        case,
        status=SurgeryStatus.SCHEDULED,
        reason_code=reason_code,
        was_booked=True,
        booking=Booked.of(booking),
        wheels_in=None,
        wheels_out=None,
    )


def _status_changed(case: CaseRecord, event: SurgeryStatusChanged) -> CaseRecord:
    """A postponed case is back on the waiting list: its booking is freed."""
    postponed = event.to_status is SurgeryStatus.POSTPONED
    return replace(
        case,
        status=event.to_status,
        reason_code=event.reason_code,
        booking=None if postponed else case.booking,
        wheels_in=event.wheels_in or case.wheels_in,
        wheels_out=event.wheels_out or case.wheels_out,
    )
