"""The booking rules about the people in a case, each alone."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

from contracts.calendar.spans import Span
from contracts.events.scheduling_surgeries import StaffAssignment
from contracts.vocabulary import StaffRole
from scheduling_service.domain.booking.booking_facts import Held, Holdings

from tests.unit.scheduling.booking_world import DAY, Ward, at, person, span


def with_staff(ward: Ward, *people: tuple[uuid.UUID, StaffRole]) -> list[str]:
    staff = tuple(StaffAssignment(staff_id=s, role=r) for s, r in people)
    return ward.codes(ward.placement(staff=staff))


def test_refuses_a_staff_member_it_does_not_know() -> None:
    ward = Ward()
    stranger = uuid.uuid4()
    conflicts = ward.conflicts(
        ward.placement(staff=(StaffAssignment(staff_id=stranger, role=StaffRole.ANAESTHETIST),))
    )
    assert [(c.code, c.resource_id) for c in conflicts] == [("staff_unknown", stranger)]


def test_refuses_a_retired_staff_member_once() -> None:
    ward = Ward()
    ward.anaesthetist = replace(ward.anaesthetist, retired=True, available=())
    assert ward.codes() == ["staff_retired"]


def test_refuses_an_inactive_staff_member_once() -> None:
    ward = Ward()
    ward.anaesthetist = replace(ward.anaesthetist, active=False, available=())
    assert ward.codes() == ["staff_inactive"]


def test_refuses_the_cases_own_surgeon_when_retired() -> None:
    ward = Ward()
    ward.surgeon = replace(ward.surgeon, retired=True)
    conflicts = ward.conflicts()
    assert [(c.code, c.resource_id) for c in conflicts] == [
        ("staff_retired", ward.surgeon.staff_id)
    ]


def test_refuses_a_person_filling_a_role_that_is_not_theirs() -> None:
    ward = Ward()
    nurse = person("scrub_nurse")
    ward.extra_staff.append(nurse)
    assert with_staff(ward, (nurse.staff_id, StaffRole.ANAESTHETIST)) == ["staff_wrong_role"]


def test_refuses_a_case_surgeon_who_is_not_a_surgeon_in_resources() -> None:
    ward = Ward()
    ward.surgeon = replace(ward.surgeon, role="anaesthetist")
    assert ward.codes() == ["staff_wrong_role"]


def test_names_a_role_the_case_needs_but_nobody_fills() -> None:
    ward = Ward().needing(roles_needed={"anaesthetist": 1, "scrub_nurse": 1})
    conflicts = ward.conflicts()
    assert [(c.code, c.resource_type) for c in conflicts] == [("staff_role_missing", "case")]
    assert "scrub_nurse" in conflicts[0].message


def test_names_each_person_the_case_does_not_need() -> None:
    ward = Ward()
    second = person("anaesthetist")
    ward.extra_staff.append(second)
    conflicts = ward.conflicts(
        ward.placement(
            staff=(
                StaffAssignment(staff_id=ward.anaesthetist.staff_id, role="anaesthetist"),
                StaffAssignment(staff_id=second.staff_id, role="anaesthetist"),
            )
        )
    )
    assert [(c.code, c.resource_id) for c in conflicts] == [("staff_not_needed", second.staff_id)]


def test_refuses_a_case_needing_more_people_than_a_booking_holds() -> None:
    # 30 besides the surgeon: no placement can ever fill them, so say so rather than try.
    ward = Ward().needing(roles_needed={"anaesthetist": 1, "scrub_nurse": 29})
    conflicts = ward.conflicts()
    too_many = [c for c in conflicts if c.code == "too_many_staff"]
    assert [(c.resource_type, c.resource_id) for c in too_many] == [("case", ward.case.surgery_id)]
    assert "30 people besides its surgeon" in too_many[0].message
    assert "at most 29" in too_many[0].message


def test_accepts_a_case_needing_as_many_people_as_a_booking_holds() -> None:
    nurses = [person("scrub_nurse") for _ in range(28)]
    ward = Ward(extra_staff=nurses).needing(roles_needed={"anaesthetist": 1, "scrub_nurse": 28})
    staff = (
        StaffAssignment(staff_id=ward.anaesthetist.staff_id, role=StaffRole.ANAESTHETIST),
        *(StaffAssignment(staff_id=n.staff_id, role=StaffRole.SCRUB_NURSE) for n in nurses),
    )
    assert ward.codes(ward.placement(staff=staff)) == []


def test_accepts_the_cases_surgeon_listed_again_as_its_surgeon() -> None:
    ward = Ward()
    assert (
        with_staff(
            ward,
            (ward.surgeon.staff_id, StaffRole.SURGEON),
            (ward.anaesthetist.staff_id, StaffRole.ANAESTHETIST),
        )
        == []
    )


def test_refuses_another_surgeon_in_place_of_the_cases_surgeon() -> None:
    ward = Ward()
    other = person("surgeon")
    ward.extra_staff.append(other)
    codes = with_staff(
        ward,
        (other.staff_id, StaffRole.SURGEON),
        (ward.anaesthetist.staff_id, StaffRole.ANAESTHETIST),
    )
    assert codes == ["not_the_cases_surgeon"]


def test_accepts_a_second_surgeon_when_the_case_needs_one() -> None:
    ward = Ward().needing(roles_needed={"anaesthetist": 1, "surgeon": 1})
    other = person("surgeon")
    ward.extra_staff.append(other)
    codes = with_staff(
        ward,
        (other.staff_id, StaffRole.SURGEON),
        (ward.anaesthetist.staff_id, StaffRole.ANAESTHETIST),
    )
    assert codes == []


def test_refuses_the_cases_surgeon_filling_a_second_place() -> None:
    ward = Ward().needing(roles_needed={})
    conflicts = ward.conflicts(
        ward.placement(
            staff=(StaffAssignment(staff_id=ward.surgeon.staff_id, role="anaesthetist"),)
        )
    )
    codes = [c.code for c in conflicts]
    assert "staff_listed_twice" in codes
    assert codes[: codes.index("staff_listed_twice")] == ["staff_wrong_role"]


def test_refuses_a_person_who_is_absent_during_the_surgery() -> None:
    ward = Ward()
    ward.anaesthetist = replace(
        ward.anaesthetist, available=(span("07:00", "10:00"), span("12:00", "19:00"))
    )
    conflicts = ward.conflicts(ward.placement("09:00"))
    assert [(c.code, c.resource_id) for c in conflicts] == [
        ("staff_unavailable", ward.anaesthetist.staff_id)
    ]
    assert conflicts[0].interval == span("09:00", "10:30")


def test_holds_people_for_the_surgery_only_not_setup_or_cleanup() -> None:
    # The room needs 08:40-10:45; the anaesthetist only 09:00-10:30.
    ward = Ward()
    ward.anaesthetist = replace(ward.anaesthetist, available=(span("09:00", "10:30"),))
    ward.another_case_holds("staff", ward.anaesthetist.staff_id, "10:30", "11:30")
    assert ward.codes(ward.placement("09:00")) == []


def test_names_the_other_case_a_person_is_in_at_that_time() -> None:
    ward = Ward()
    other = ward.another_case_holds("staff", ward.anaesthetist.staff_id, "10:00", "11:00")
    (conflict,) = ward.conflicts(ward.placement("09:00"))
    assert (conflict.code, conflict.resource_id, conflict.other_surgery_id) == (
        "staff_double_booked",
        ward.anaesthetist.staff_id,
        other,
    )
    assert conflict.interval == span("10:00", "11:00")


def test_refuses_a_person_over_their_daily_maximum() -> None:
    # 420 minutes in two earlier cases of the day, and 90 more: 510 > 480.
    ward = Ward()
    ward.anaesthetist = replace(ward.anaesthetist, max_minutes_per_day=480)
    ward.another_case_holds("staff", ward.anaesthetist.staff_id, "07:00", "08:00")
    ward.another_case_holds("staff", ward.anaesthetist.staff_id, "11:00", "17:00")
    conflicts = ward.conflicts(ward.placement("09:00"))
    assert [(c.code, c.resource_id) for c in conflicts] == [
        ("staff_over_daily_maximum", ward.anaesthetist.staff_id)
    ]
    assert "510" in conflicts[0].message
    assert conflicts[0].interval == Span(at("00:00"), at("00:00", DAY + timedelta(days=1)))


def test_allows_exactly_the_daily_maximum() -> None:
    ward = Ward()
    ward.anaesthetist = replace(ward.anaesthetist, max_minutes_per_day=510)
    ward.another_case_holds("staff", ward.anaesthetist.staff_id, "07:00", "08:00")
    ward.another_case_holds("staff", ward.anaesthetist.staff_id, "11:00", "17:00")
    assert ward.codes(ward.placement("09:00")) == []


def test_counts_only_the_cases_of_the_same_local_day_toward_the_maximum() -> None:
    ward = Ward()
    ward.anaesthetist = replace(ward.anaesthetist, max_minutes_per_day=100)
    yesterday = span("07:00", "18:00", DAY - timedelta(days=1))
    ward.held = Holdings(staff=(Held(uuid.uuid4(), ward.anaesthetist.staff_id, yesterday),))
    assert ward.codes() == []


def test_sets_no_daily_maximum_when_resources_gives_none() -> None:
    ward = Ward()
    ward.anaesthetist = replace(ward.anaesthetist, max_minutes_per_day=None)
    ward.another_case_holds("staff", ward.anaesthetist.staff_id, "11:00", "19:00")
    ward.another_case_holds("staff", ward.anaesthetist.staff_id, "07:00", "08:55")
    assert ward.codes() == []
