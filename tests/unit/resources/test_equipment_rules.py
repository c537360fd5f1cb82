"""Where equipment units may stand and which of their names may repeat, without a database."""

import uuid

from resources_service.domain.equipment_rules import (
    placement_problems,
    repeated,
    rooms_after,
    units_problems,
)

ROOM_A = uuid.uuid4()
ROOM_B = uuid.uuid4()


def test_every_unit_of_fixed_equipment_needs_a_room():
    problems = placement_problems(False, [("R1", ROOM_A), ("R2", None)])

    assert len(problems) == 1
    assert "'R2' needs a fixed_room_id" in problems[0]


def test_units_of_mobile_equipment_stand_in_no_room():
    problems = placement_problems(True, [("C1", None), ("C2", ROOM_A)])

    assert len(problems) == 1
    assert "'C2' names a fixed room" in problems[0]


def test_well_placed_units_have_no_problems():
    assert placement_problems(True, [("C1", None)]) == []
    assert placement_problems(False, [("R1", ROOM_A), ("R2", ROOM_B)]) == []
    assert placement_problems(False, []) == []


def test_a_label_repeated_in_another_case_is_named_once_as_first_given():
    assert repeated(["Arm 1", "arm 1", "ARM 1", "Arm 2"], "label") == [
        "label 'Arm 1' is given more than once"
    ]


def test_absent_serial_numbers_never_clash():
    assert repeated([None, None, "SN-1"], "serial number") == []


def test_new_units_are_checked_for_labels_serials_and_rooms_together():
    problems = units_problems(
        False, [("A", "SN-1", ROOM_A), ("a", "sn-1", ROOM_A), ("B", None, None)]
    )

    assert problems == [
        "label 'A' is given more than once",
        "serial number 'SN-1' is given more than once",
        "unit 'B' needs a fixed_room_id: fixed equipment is installed in one room",
    ]


def test_units_leave_their_rooms_when_the_equipment_becomes_mobile():
    first, second = uuid.uuid4(), uuid.uuid4()

    after = rooms_after(True, {first: ROOM_A, second: None}, {})

    assert after == {first: None, second: None}


def test_units_of_fixed_equipment_stay_where_they_are_unless_moved():
    stays, moves = uuid.uuid4(), uuid.uuid4()

    after = rooms_after(False, {stays: ROOM_A, moves: ROOM_A}, {moves: ROOM_B})

    assert after == {stays: ROOM_A, moves: ROOM_B}


def test_mobile_equipment_that_becomes_fixed_gets_the_rooms_it_is_given():
    given, forgotten = uuid.uuid4(), uuid.uuid4()

    after = rooms_after(False, {given: None, forgotten: None}, {given: ROOM_B})

    assert after == {given: ROOM_B, forgotten: None}
    assert len(placement_problems(False, [(str(unit), room) for unit, room in after.items()])) == 1
