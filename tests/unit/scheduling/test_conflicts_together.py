"""All the conflicts of a booking at once, in an order that never changes, as JSON."""

from __future__ import annotations

import uuid
from dataclasses import replace

from contracts.events.scheduling_surgeries import StaffAssignment
from scheduling_service.domain.booking.booking_facts import holdings, propose
from scheduling_service.domain.booking.conflicts import find_conflicts

from tests.unit.scheduling.booking_world import Ward, person, span


def troubled_ward() -> Ward:
    """A closed room lacking a capability, a busy surgeon, a stranger, a C-arm fixed elsewhere."""
    ward = Ward().needing(
        status="postponed",
        required_capabilities=frozenset({"general", "robotic"}),
        roles_needed={"anaesthetist": 1, "scrub_nurse": 1},
    )
    ward.room = replace(ward.room, open=(span("07:00", "09:30"),))
    ward.another_case_holds("staff", ward.surgeon.staff_id, "10:00", "11:00")
    ward.c_arm = replace(ward.c_arm, fixed_room_id=uuid.uuid4())
    return ward


def test_reports_every_conflict_together_case_room_people_units() -> None:
    ward = troubled_ward()
    assert ward.codes() == [
        "room_closed",
        "room_lacks_capability",
        "staff_role_missing",
        "staff_double_booked",
        "unit_fixed_elsewhere",
    ]


def test_reports_the_same_conflicts_in_the_same_order_every_time() -> None:
    ward = troubled_ward()
    assert ward.conflicts() == ward.conflicts()


def test_lists_people_in_the_order_placed_with_the_surgeon_first() -> None:
    ward = Ward().needing(roles_needed={"anaesthetist": 1, "scrub_nurse": 1})
    nurse = person("scrub_nurse")
    ward.extra_staff.append(nurse)
    for someone in (ward.surgeon, ward.anaesthetist, nurse):
        ward.another_case_holds("staff", someone.staff_id, "09:30", "09:45")
    placement = ward.placement(
        staff=(
            StaffAssignment(staff_id=nurse.staff_id, role="scrub_nurse"),
            StaffAssignment(staff_id=ward.anaesthetist.staff_id, role="anaesthetist"),
        )
    )
    conflicts = ward.conflicts(placement)
    assert [c.resource_id for c in conflicts] == [
        ward.surgeon.staff_id,
        nurse.staff_id,
        ward.anaesthetist.staff_id,
    ]


def test_writes_a_conflict_as_the_api_shows_it() -> None:
    ward = Ward()
    other = ward.another_case_holds("rooms", ward.room.room_id, "08:00", "09:00")
    (conflict,) = ward.conflicts()
    assert conflict.as_json() == {
        "code": "room_double_booked",
        "message": conflict.message,
        "resource_type": "room",
        "resource_id": str(ward.room.room_id),
        "interval": {"start": "2027-03-10T07:00:00+00:00", "end": "2027-03-10T08:00:00+00:00"},
        "other_surgery_id": str(other),
    }
    assert str(other) in conflict.message and "2027-03-10 08:00-09:00" in conflict.message


def test_judges_two_cases_of_one_change_against_each_other() -> None:
    ward = Ward()
    first = propose(ward.case, ward.placement("09:00"))
    second_case = replace(ward.case, surgery_id=uuid.uuid4())
    second = propose(second_case, ward.placement("10:00"))
    facts = replace(ward.facts(), held=holdings(first, ward.facts().units))
    codes = [c.code for c in find_conflicts(second_case, second, facts)]
    assert codes == [
        "room_double_booked",
        "staff_double_booked",
        "staff_double_booked",
        "unit_double_booked",
    ]
