"""The booking rules about equipment units, each alone."""

from __future__ import annotations

import uuid
from dataclasses import replace

from tests.unit.scheduling.booking_world import Ward, span, unit


def test_refuses_a_unit_it_does_not_know_and_misses_its_type() -> None:
    ward = Ward()
    stranger = uuid.uuid4()
    conflicts = ward.conflicts(ward.placement(equipment_unit_ids=(stranger,)))
    assert [(c.code, c.resource_id) for c in conflicts] == [
        ("unit_unknown", stranger),
        ("equipment_type_missing", ward.case.surgery_id),
    ]


def test_refuses_a_retired_unit() -> None:
    ward = Ward()
    ward.c_arm = replace(ward.c_arm, retired=True, status="retired")
    assert ward.codes() == ["unit_retired"]


def test_refuses_a_unit_that_is_in_maintenance() -> None:
    ward = Ward()
    ward.c_arm = replace(ward.c_arm, status="in_maintenance")
    assert ward.codes() == ["unit_in_maintenance"]


def test_rejects_a_unit_whose_maintenance_starts_during_its_turnaround() -> None:
    # The surgery ends 10:30; the C-arm's 30 minutes' turnaround hold it to 11:00.
    ward = Ward()
    window = span("10:45", "12:00")
    ward.c_arm = replace(ward.c_arm, maintenance=(window,))
    (conflict,) = ward.conflicts(ward.placement("09:00"))
    assert (conflict.code, conflict.interval) == ("unit_maintenance_window", window)


def test_accepts_a_unit_whose_maintenance_begins_when_its_turnaround_ends() -> None:
    ward = Ward()
    ward.c_arm = replace(ward.c_arm, maintenance=(span("11:00", "12:00"),))
    assert ward.codes(ward.placement("09:00")) == []


def test_names_the_equipment_type_nobody_reserved() -> None:
    ward = Ward()
    conflicts = ward.conflicts(ward.placement(equipment_unit_ids=()))
    assert [(c.code, c.resource_type) for c in conflicts] == [("equipment_type_missing", "case")]
    assert "c_arm" in conflicts[0].message


def test_refuses_a_unit_of_a_type_the_case_does_not_need() -> None:
    ward = Ward()
    robot = unit(label="Robot", equipment_type="surgical_robot")
    ward.extra_units.append(robot)
    conflicts = ward.conflicts(
        ward.placement(equipment_unit_ids=(ward.c_arm.unit_id, robot.unit_id))
    )
    assert [(c.code, c.resource_id) for c in conflicts] == [("unit_not_needed", robot.unit_id)]


def test_refuses_a_second_unit_of_a_type_needed_once() -> None:
    ward = Ward()
    second = unit(label="C-arm 2")
    ward.extra_units.append(second)
    conflicts = ward.conflicts(
        ward.placement(equipment_unit_ids=(ward.c_arm.unit_id, second.unit_id))
    )
    assert [(c.code, c.resource_id) for c in conflicts] == [("unit_not_needed", second.unit_id)]


def test_refuses_a_unit_installed_in_another_room() -> None:
    ward = Ward()
    ward.c_arm = replace(ward.c_arm, fixed_room_id=uuid.uuid4())
    assert ward.codes() == ["unit_fixed_elsewhere"]


def test_accepts_a_unit_installed_in_the_room_itself() -> None:
    ward = Ward()
    ward.c_arm = replace(ward.c_arm, fixed_room_id=ward.room.room_id)
    assert ward.codes() == []


def test_rejects_a_unit_still_in_its_turnaround_after_another_case() -> None:
    # The other case used the unit until 08:40 and its turnaround holds it until 09:10.
    ward = Ward()
    other = ward.another_case_holds("units", ward.c_arm.unit_id, "07:10", "09:10")
    (conflict,) = ward.conflicts(ward.placement("09:00"))
    assert (conflict.code, conflict.other_surgery_id) == ("unit_double_booked", other)
    assert conflict.interval == span("07:10", "09:10")


def test_rejects_a_unit_whose_own_turnaround_runs_into_the_next_case() -> None:
    # This case holds the C-arm 09:00-11:00 (surgery and turnaround); the next starts 10:50.
    ward = Ward()
    ward.another_case_holds("units", ward.c_arm.unit_id, "10:50", "12:00")
    assert ward.codes(ward.placement("09:00")) == ["unit_double_booked"]


def test_accepts_a_unit_free_again_exactly_when_the_surgery_starts() -> None:
    ward = Ward()
    ward.another_case_holds("units", ward.c_arm.unit_id, "07:00", "09:00")
    ward.another_case_holds("units", ward.c_arm.unit_id, "11:00", "12:00")
    assert ward.codes(ward.placement("09:00")) == []
