"""The booking rules about the case itself and its room, each alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, timedelta

import pytest

from tests.unit.scheduling.booking_world import DAY, NOW, Ward, at, person, room, span


def test_accepts_a_placement_that_keeps_every_rule() -> None:
    assert Ward().conflicts() == []


@pytest.mark.parametrize("status", ["postponed", "scheduled", "confirmed"])
def test_books_or_moves_a_case_that_is_waiting_or_booked(status: str) -> None:
    assert Ward().needing(status=status).codes() == []


@pytest.mark.parametrize("status", ["in_room", "completed", "cancelled"])
def test_refuses_to_book_a_case_that_is_in_the_room_over_or_cancelled(status: str) -> None:
    ward = Ward().needing(status=status)
    (conflict,) = ward.conflicts()
    assert conflict.code == "case_not_bookable"
    assert (conflict.resource_type, conflict.resource_id) == ("case", ward.case.surgery_id)


def test_refuses_a_case_starting_before_now() -> None:
    ward = Ward(now=at("09:10"))
    (conflict,) = ward.conflicts(ward.placement("09:00"))
    assert (conflict.code, conflict.resource_type) == ("starts_in_past", "case")
    assert (conflict.resource_id, conflict.interval) == (
        ward.case.surgery_id,
        span("09:00", "10:30"),
    )
    assert f"Case {ward.case.surgery_id} starts 2027-03-10 09:00" in conflict.message
    assert "before now (2027-03-10 09:10)" in conflict.message


def test_accepts_a_case_starting_within_five_minutes_before_now() -> None:
    ward = Ward(now=at("09:05"))
    assert ward.codes(ward.placement("09:00")) == []


def test_books_the_past_when_no_moment_is_given_as_the_demo_seed_does() -> None:
    # Years before `NOW` and before today: in the past whatever "now" a rule might take.
    past = date(2020, 3, 11)
    day = (span("07:00", "19:00", past),)
    ward = Ward(
        room=room(open=day),
        surgeon=person("surgeon", available=day),
        anaesthetist=person("anaesthetist", available=day),
        now=None,
    )
    booked_then = replace(ward.placement(), start=at("09:00", past))
    assert ward.codes(booked_then) == []
    ward.now = NOW
    assert ward.codes(booked_then) == ["starts_in_past"]


def test_refuses_a_start_before_the_earliest_date() -> None:
    ward = Ward().needing(earliest_date=DAY + timedelta(days=1))
    (conflict,) = ward.conflicts()
    assert conflict.code == "before_earliest_date"
    assert conflict.interval == span("09:00", "10:30")


def test_reads_the_earliest_date_as_a_local_date_of_the_hospital() -> None:
    # 00:30 in Amsterdam is still the day before in UTC.
    ward = Ward().needing(earliest_date=DAY)
    ward.room = replace(ward.room, open=(span("00:00", "19:00"),))
    ward.surgeon = replace(ward.surgeon, available=(span("00:00", "19:00"),))
    ward.anaesthetist = replace(ward.anaesthetist, available=(span("00:00", "19:00"),))
    ward.case = replace(ward.case, setup_minutes=0, surgeon_id=ward.surgeon.staff_id)
    assert at("00:30").astimezone(UTC).date() == DAY - timedelta(days=1)
    assert ward.codes(ward.placement("00:30")) == []
    ward.case = replace(ward.case, earliest_date=DAY + timedelta(days=1))
    assert ward.codes(ward.placement("00:30")) == ["before_earliest_date"]


def test_refuses_a_room_it_does_not_know() -> None:
    ward = Ward(room_known=False)
    assert ward.codes() == ["room_unknown"]


def test_refuses_a_retired_room_once_without_calling_it_closed_too() -> None:
    ward = Ward()
    ward.room = replace(ward.room, retired=True, status="retired", open=())
    assert ward.codes() == ["room_retired"]


def test_refuses_a_room_in_maintenance() -> None:
    ward = Ward()
    ward.room = replace(ward.room, status="maintenance", open=())
    (conflict,) = ward.conflicts()
    assert conflict.code == "room_closed"
    assert "maintenance" in conflict.message


def test_rejects_booking_whose_setup_starts_before_the_room_opens() -> None:
    # 07:10 start less 20 minutes' setup is 06:50: the room opens at 07:00.
    ward = Ward()
    (conflict,) = ward.conflicts(ward.placement("07:10"))
    assert conflict.code == "room_closed"
    assert conflict.interval == span("06:50", "08:55")


def test_rejects_booking_whose_cleanup_runs_past_closing_time() -> None:
    ward = Ward()
    assert ward.codes(ward.placement("17:15")) == []  # held until 19:00 exactly
    assert ward.codes(ward.placement("17:16")) == ["room_closed"]


def test_rejects_booking_that_spans_two_open_intervals_with_a_break_between() -> None:
    ward = Ward()
    ward.room = replace(ward.room, open=(span("07:00", "12:00"), span("12:30", "19:00")))
    assert ward.codes(ward.placement("11:00")) == ["room_closed"]
    assert ward.codes(ward.placement("12:50")) == []


def test_names_each_capability_the_room_lacks() -> None:
    ward = Ward().needing(required_capabilities=frozenset({"general", "robotic", "cardiac"}))
    conflicts = ward.conflicts()
    assert [c.code for c in conflicts] == ["room_lacks_capability"] * 2
    assert ["cardiac" in conflicts[0].message, "robotic" in conflicts[1].message] == [True, True]


def test_rejects_booking_that_overlaps_cleanup_time() -> None:
    # The other case's surgery ends 08:30; its 15 minutes' cleanup hold the room to 08:45,
    # and this case's setup starts at 08:40.
    ward = Ward()
    other = ward.another_case_holds("rooms", ward.room.room_id, "07:00", "08:45")
    (conflict,) = ward.conflicts(ward.placement("09:00"))
    assert conflict.code == "room_double_booked"
    assert conflict.other_surgery_id == other
    assert conflict.interval == span("07:00", "08:45")
    assert conflict.resource_id == ward.room.room_id


def test_accepts_a_room_whose_last_case_is_cleaned_up_as_this_setup_begins() -> None:
    ward = Ward()
    ward.another_case_holds("rooms", ward.room.room_id, "07:00", "08:40")
    assert ward.codes(ward.placement("09:00")) == []


def test_names_every_other_case_in_the_room_earliest_first() -> None:
    ward = Ward()
    later = ward.another_case_holds("rooms", ward.room.room_id, "10:00", "11:00")
    earlier = ward.another_case_holds("rooms", ward.room.room_id, "08:00", "09:00")
    ward.another_case_holds("rooms", ward.room.room_id, "15:00", "16:00")
    conflicts = ward.conflicts(ward.placement("09:00"))
    assert [c.other_surgery_id for c in conflicts] == [earlier, later]


def test_ignores_other_rooms_held_at_the_same_time() -> None:
    ward = Ward()
    ward.another_case_holds("rooms", Ward().room.room_id, "08:00", "12:00")
    assert ward.codes() == []
