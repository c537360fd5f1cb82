"""Which SIU trigger a case's event calls for: a case's story, followed one event at a time.

    requested ── scheduled ──────────────→ S12 (a new booking)
    booked ───── rescheduled: room/time ─→ S13; only team, units, setup or cleanup ─→ S14
    booked ───── postponed ──────────────→ S15 (the booking is cancelled; the case waits again)
    booked ───── cancelled ──────────────→ S15, or S26 when the patient did not attend
    waiting ──── anything ───────────────→ nothing (a case without a booking has no appointment)

Confirmation, wheels in and wheels out change no appointment and send nothing (see
docs/services/interop.md). The state kept per case is the request (MRN, procedure, surgeon,
priority) and the booking now held, since the events that move a booking do not repeat them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from enum import StrEnum

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

NO_SHOW_REASON = "patient_did_not_attend"


class Trigger(StrEnum):
    """The SIU trigger events this feed sends (HL7 v2.5 chapter 10)."""

    S12 = "S12"  # notification of new appointment booking
    S13 = "S13"  # notification of appointment rescheduling
    S14 = "S14"  # notification of appointment modification
    S15 = "S15"  # notification of appointment cancellation
    S26 = "S26"  # notification that patient did not show up for scheduled appointment


@dataclass(frozen=True, slots=True)
class Request:
    """What an appointment message says about the case itself: no clinical data beyond need."""

    patient_mrn: str
    procedure_code: str
    procedure_name: str
    coding_system: str | None
    surgeon_id: uuid.UUID
    priority: str


@dataclass(frozen=True, slots=True)
class CaseState:
    request: Request | None = None
    booking: Booking | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """One message to build: the trigger, the booking it describes, why, by whom and when."""

    case_id: uuid.UUID
    trigger: Trigger
    request: Request
    booking: Booking
    reason_code: str
    by: uuid.UUID | None


def request_of(event: SurgeryRequested | SurgeryRequestChanged) -> Request:
    return Request(
        patient_mrn=event.patient_mrn,
        procedure_code=event.procedure.code,
        procedure_name=event.procedure.name,
        coding_system=event.procedure.coding_system,
        surgeon_id=event.surgeon_id,
        priority=event.priority.value,
    )


def follow(state: CaseState, event: Event) -> tuple[CaseState, Change | None]:
    """The case's state after `event`, and the message it calls for (None: no message)."""
    if isinstance(event, SurgeryRequested | SurgeryRequestChanged):
        return replace(state, request=request_of(event)), None
    if isinstance(event, SurgeryScheduled):
        return _booked(
            state, event.surgery_id, event.booking, Trigger.S12, "booked", event.scheduled_by
        )
    if isinstance(event, SurgeryRescheduled):
        before = state.booking or event.previous_booking
        after = event.new_booking
        if state.booking is None:
            trigger = Trigger.S12  # the first booking was not seen: announce this one as new
        elif moved(before, after):
            trigger = Trigger.S13
        else:
            trigger = Trigger.S14
        reason = event.reason_code or ("rescheduled" if trigger is Trigger.S13 else "modified")
        return _booked(state, event.surgery_id, after, trigger, reason, event.rescheduled_by)
    if isinstance(event, SurgeryCancelled):
        trigger = Trigger.S26 if event.reason_code == NO_SHOW_REASON else Trigger.S15
        return _freed(state, event.surgery_id, trigger, event.reason_code, event.cancelled_by)
    if isinstance(event, SurgeryStatusChanged) and event.to_status in (
        SurgeryStatus.POSTPONED,
        SurgeryStatus.CANCELLED,
    ):
        reason = event.reason_code or event.to_status.value
        trigger = Trigger.S26 if reason == NO_SHOW_REASON else Trigger.S15
        return _freed(state, event.surgery_id, trigger, reason, event.changed_by)
    return state, None


def moved(before: Booking, after: Booking) -> bool:
    """A reschedule in HL7's sense: another room, or another time."""
    return (before.room_id, before.start, before.end) != (after.room_id, after.start, after.end)


def _booked(
    state: CaseState,
    case_id: uuid.UUID,
    booking: Booking,
    trigger: Trigger,
    reason: str,
    by: uuid.UUID | None,
) -> tuple[CaseState, Change | None]:
    after = replace(state, booking=booking)
    if state.request is None:
        return after, None  # the request was never seen: nothing to say who or what
    return after, Change(case_id, trigger, state.request, booking, reason, by)


def _freed(
    state: CaseState, case_id: uuid.UUID, trigger: Trigger, reason: str, by: uuid.UUID | None
) -> tuple[CaseState, Change | None]:
    after = replace(state, booking=None)
    if state.booking is None or state.request is None:
        return after, None  # a waiting case has no appointment to cancel
    return after, Change(case_id, trigger, state.request, state.booking, reason, by)
