"""Examples of the surgery events."""

from __future__ import annotations

from datetime import date

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
from contracts.examples.ids import (
    ANAESTHETIST,
    C_ARM_UNIT,
    COORDINATOR,
    ROOM,
    RUN,
    SCRUB_NURSE,
    SURGEON,
    SURGERY,
    at,
)
from contracts.vocabulary import StaffRequirement, StaffRole, SurgeryPriority

TEAM = (
    StaffAssignment(staff_id=SURGEON, role=StaffRole.SURGEON),
    StaffAssignment(staff_id=ANAESTHETIST, role=StaffRole.ANAESTHETIST),
    StaffAssignment(staff_id=SCRUB_NURSE, role=StaffRole.SCRUB_NURSE),
)
FIRST_BOOKING = Booking(
    room_id=ROOM,
    start=at(7, 8, 0),
    end=at(7, 10, 0),
    setup_minutes=30,
    cleanup_minutes=20,
    staff=TEAM,
    equipment_unit_ids=(C_ARM_UNIT,),
)
MOVED_BOOKING = FIRST_BOOKING.model_copy(update={"start": at(10, 9, 0), "end": at(10, 11, 0)})

REQUESTED = SurgeryRequested(
    surgery_id=SURGERY,
    patient_mrn="MRN-0012345",
    procedure=Procedure(code="W37.1", name="Total hip replacement", coding_system="opcs4"),
    surgeon_id=SURGEON,
    specialty="orthopaedics",
    expected_duration_minutes=120,
    setup_minutes=30,
    cleanup_minutes=20,
    priority=SurgeryPriority.ELECTIVE,
    earliest_date=date(2026, 12, 1),
    due_date=date(2027, 2, 28),
    required_capabilities=("orthopaedic", "laminar_flow"),
    equipment_types=("c_arm",),
    anaesthesia_type=AnaesthesiaType.GENERAL,
    staff_roles_needed=(
        StaffRequirement(role=StaffRole.ANAESTHETIST),
        StaffRequirement(role=StaffRole.SCRUB_NURSE),
    ),
    requested_by=COORDINATOR,
)

EXAMPLES = (
    REQUESTED,
    SurgeryRequestChanged(
        **(REQUESTED.model_dump() | {"priority": SurgeryPriority.URGENT}), changed_by=COORDINATOR
    ),
    SurgeryScheduled(surgery_id=SURGERY, booking=FIRST_BOOKING, scheduled_by=COORDINATOR),
    SurgeryRescheduled(
        surgery_id=SURGERY,
        previous_booking=FIRST_BOOKING,
        new_booking=MOVED_BOOKING,
        run_id=RUN,
    ),
    SurgeryCancelled(
        surgery_id=SURGERY,
        reason_code="no_bed",
        reason="No ICU bed available after surgery.",
        cancelled_by=COORDINATOR,
        cancelled_at=at(10, 6, 45),
    ),
    SurgeryStatusChanged(
        surgery_id=SURGERY,
        from_status=SurgeryStatus.IN_ROOM,
        to_status=SurgeryStatus.COMPLETED,
        wheels_in=at(10, 8, 55),
        wheels_out=at(10, 11, 5),
        changed_at=at(10, 11, 5),
    ),
)
