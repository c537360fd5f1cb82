"""Events of one case's lifecycle, as scheduling publishes them, for the FHIR read model's tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from contracts.events.scheduling_surgeries import (
    AnaesthesiaType,
    Booking,
    Procedure,
    StaffAssignment,
    SurgeryCancelled,
    SurgeryRequestChanged,
    SurgeryRequested,
    SurgeryRescheduled,
    SurgeryScheduled,
    SurgeryStatus,
    SurgeryStatusChanged,
)
from contracts.vocabulary import StaffRole, SurgeryPriority

MONDAY = datetime(2031, 3, 3, 7, 0, tzinfo=UTC)


@dataclass
class Case:
    """One case and the people, room and units it may be booked with."""

    case_id: uuid.UUID = field(default_factory=uuid.uuid4)
    mrn: str = field(default_factory=lambda: f"MRN-{uuid.uuid4().hex[:8]}")
    surgeon_id: uuid.UUID = field(default_factory=uuid.uuid4)
    anaesthetist_id: uuid.UUID = field(default_factory=uuid.uuid4)
    nurse_id: uuid.UUID = field(default_factory=uuid.uuid4)
    requested_by: uuid.UUID = field(default_factory=uuid.uuid4)
    room_ids: tuple[uuid.UUID, uuid.UUID] = field(
        default_factory=lambda: (uuid.uuid4(), uuid.uuid4())
    )
    unit_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def requested(self, priority: SurgeryPriority = SurgeryPriority.ELECTIVE) -> SurgeryRequested:
        return SurgeryRequested(
            surgery_id=self.case_id,
            patient_mrn=self.mrn,
            procedure=Procedure(code="W37.1", name="Total hip replacement", coding_system="opcs4"),
            surgeon_id=self.surgeon_id,
            specialty="orthopaedics",
            expected_duration_minutes=120,
            setup_minutes=30,
            cleanup_minutes=20,
            priority=priority,
            anaesthesia_type=AnaesthesiaType.GENERAL,
            requested_by=self.requested_by,
        )

    def corrected(self, name: str = "Hip revision") -> SurgeryRequestChanged:
        fields = self.requested().model_dump() | {
            "procedure": Procedure(code="W39.1", name=name),
            "changed_by": self.requested_by,
        }
        return SurgeryRequestChanged(**fields)

    def booking(self, room: int = 0, hours_later: int = 1, team: bool = True) -> Booking:
        start = MONDAY + timedelta(hours=hours_later)
        staff = [StaffAssignment(staff_id=self.surgeon_id, role=StaffRole.SURGEON)]
        if team:
            staff += [
                StaffAssignment(staff_id=self.anaesthetist_id, role=StaffRole.ANAESTHETIST),
                StaffAssignment(staff_id=self.nurse_id, role=StaffRole.SCRUB_NURSE),
            ]
        return Booking(
            room_id=self.room_ids[room],
            start=start,
            end=start + timedelta(minutes=120),
            setup_minutes=30,
            cleanup_minutes=20,
            staff=tuple(staff),
            equipment_unit_ids=(self.unit_id,) if team else (),
        )

    def scheduled(self, booking: Booking | None = None) -> SurgeryScheduled:
        return SurgeryScheduled(surgery_id=self.case_id, booking=booking or self.booking())

    def rescheduled(self, before: Booking, after: Booking) -> SurgeryRescheduled:
        return SurgeryRescheduled(
            surgery_id=self.case_id, previous_booking=before, new_booking=after
        )

    def status(
        self, before: SurgeryStatus, after: SurgeryStatus, **values: object
    ) -> SurgeryStatusChanged:
        return SurgeryStatusChanged(
            surgery_id=self.case_id,
            from_status=before,
            to_status=after,
            changed_at=MONDAY,
            **values,  # type: ignore[arg-type]
        )

    def cancelled(self, reason_code: str = "no_bed") -> SurgeryCancelled:
        return SurgeryCancelled(
            surgery_id=self.case_id,
            reason_code=reason_code,
            cancelled_by=self.requested_by,
            cancelled_at=MONDAY,
        )


def moments(count: int, start: datetime = MONDAY) -> list[datetime]:
    """`count` instants a millisecond apart: when each event of a story occurred."""
    return [start + timedelta(milliseconds=n) for n in range(count)]
