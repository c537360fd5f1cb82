"""Booked, cancelled and postponed cases written straight into a test's scheduling schema.

For the day-list and KPI tests: a case's whole story (request row, booking, history, actual
times) without the booking rules in between, so each test sets exactly the facts it counts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from contracts.events.scheduling_surgeries import Booking, StaffAssignment
from scheduling_service.cases import cases
from scheduling_service.db.tables import case_history, surgery_requests
from scheduling_service.read_model import resources_view
from servicekit.auth import Principal
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.integration.scheduling.world import Scheduling, Team


def reader() -> Principal:
    return Principal(
        user_id=str(uuid.uuid4()), roles=frozenset({"viewer"}), token_id="t", expires_at=0
    )


@dataclass
class CaseFacts:
    """One case: booked at `start` for `expected` minutes in the team's room (or `room_id`)."""

    start: datetime
    expected: int = 60
    setup: int = 0
    cleanup: int = 0
    specialty: str = "orthopaedics"
    status: str = "scheduled"
    wheels_in: datetime | None = None
    wheels_out: datetime | None = None
    room_id: uuid.UUID | None = None
    surgeon_id: uuid.UUID | None = None
    others: tuple[StaffAssignment, ...] = ()
    unit_ids: tuple[uuid.UUID, ...] = ()
    mrn: str = field(default_factory=lambda: f"MRN-{uuid.uuid4().hex[:8]}")

    def booking(self, made: Team) -> Booking:
        surgeon = StaffAssignment(staff_id=self.surgeon_id or made.surgeon.staff_id, role="surgeon")
        return Booking(
            room_id=self.room_id or made.room.room_id,
            start=self.start,
            end=self.start + timedelta(minutes=self.expected),
            setup_minutes=self.setup,
            cleanup_minutes=self.cleanup,
            staff=(surgeon, *self.others),
            equipment_unit_ids=self.unit_ids,
        )


async def booked(scheduling: Scheduling, made: Team, facts: CaseFacts) -> uuid.UUID:
    """A request row with `facts.status` and actual times, and its booking."""
    surgery_id = uuid.uuid4()
    booking = facts.booking(made)
    async with scheduling.unit_of_work() as uow:
        await _request(uow.session, made, surgery_id, facts)
        units = await resources_view.units_by_id(uow.session, booking.equipment_unit_ids)
        await cases.write_bookings(
            uow.session, {surgery_id: booking}, units, booked_by=None, run_id=None
        )
        await cases.remember(
            uow.session,
            surgery_id,
            from_status="requested",
            to_status="scheduled",
            booking=booking,
            changed_by=None,
        )
        await uow.commit()
    return surgery_id


async def given_up(
    scheduling: Scheduling, made: Team, facts: CaseFacts, *, at: datetime, to_status: str
) -> uuid.UUID:
    """A case booked by `facts`, then cancelled or postponed at `at`: its booking is freed and
    only its history line remembers it."""
    surgery_id = await booked(scheduling, made, facts)
    async with scheduling.unit_of_work() as uow:
        booking = await cases.booking_of(uow.session, surgery_id)
        await cases.remember(
            uow.session,
            surgery_id,
            from_status="scheduled",
            to_status=to_status,
            booking=booking,
            changed_by=None,
            reason_code="no_bed",
        )
        # The history line was stamped now(); the test says when it happened.
        await uow.session.execute(
            update(case_history)
            .where(case_history.c.surgery_id == surgery_id, case_history.c.to_status == to_status)
            .values(changed_at=at)
        )
        await cases.free_bookings(uow.session, [surgery_id])
        await cases.bump(uow.session, surgery_id, status=to_status, reason_code="no_bed")
        await uow.commit()
    return surgery_id


async def _request(
    session: AsyncSession, made: Team, surgery_id: uuid.UUID, facts: CaseFacts
) -> None:
    await session.execute(
        insert(surgery_requests).values(
            surgery_id=surgery_id,
            patient_mrn=facts.mrn,
            procedure_code="W40.1",
            procedure_name="Total knee replacement",
            surgeon_id=facts.surgeon_id or made.surgeon.staff_id,
            specialty=facts.specialty,
            expected_duration_minutes=facts.expected,
            setup_minutes=facts.setup,
            cleanup_minutes=facts.cleanup,
            priority="elective",
            anaesthesia_type="general",
            status=facts.status,
            wheels_in=facts.wheels_in,
            wheels_out=facts.wheels_out,
            requested_by=uuid.uuid4(),
        )
    )
