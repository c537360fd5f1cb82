"""A room's Slots per local day: free in its open time, held by a block where one holds it, busy
where a booking takes it, each within one local day, with an id that names it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span
from contracts.events.resources_blocks import SingleDate
from contracts.events.resources_operating_rooms import (
    HoursExceptionKind,
    RoomHoursException,
    RoomStatus,
)
from fhir.resources.R4B.slot import Slot
from hypothesis import given, settings
from hypothesis import strategies as st
from interop_service.domain.fhir_resources_slots import (
    parse_slot_id,
    room_slots,
    slot_id,
    slot_of,
)

from tests.unit.interop.fhir_resources.snapshots import block, room, rooms, weekdays

MONDAY = date(2026, 12, 7)  # Amsterdam is UTC+1 in December


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def test_an_open_day_without_bookings_is_one_free_slot_of_its_opening_hours():
    slots = room_slots(room(), MONDAY, MONDAY, [])
    assert [(s.status, s.span) for s in slots] == [("free", Span(utc(MONDAY, 7), utc(MONDAY, 16)))]


def test_a_booking_is_busy_from_setup_to_cleanup_and_splits_the_free_time():
    booked = Span(utc(MONDAY, 9), utc(MONDAY, 11, 30))
    slots = room_slots(room(), MONDAY, MONDAY, [booked])
    assert [(s.status, s.span.start.hour, s.span.end.hour) for s in slots] == [
        ("free", 7, 9),
        ("busy", 9, 11),
        ("free", 11, 16),
    ]


def test_a_booking_running_past_closing_time_is_busy_all_its_length():
    late = Span(utc(MONDAY, 15), utc(MONDAY, 18))
    slots = room_slots(room(), MONDAY, MONDAY, [late])
    assert slots[-1].status == "busy" and slots[-1].span == late


def test_a_blocks_time_is_free_but_held_for_its_service():
    theatre = room()
    slots = room_slots(theatre, MONDAY, MONDAY, [], [block(theatre.room_id)])
    held = [s for s in slots if s.held_by is not None]
    assert [(s.span.start.hour, s.span.end.hour) for s in held] == [(7, 11)]
    assert held[0].held_by.service == "orthopaedics"
    resource = slot_of(held[0])
    assert resource.status == "free"
    assert resource.specialty[0].coding[0].code == "orthopaedics"


def test_a_released_or_retired_block_holds_nothing():
    theatre = room()
    released = block(theatre.room_id, released_dates=(MONDAY,))
    gone = block(theatre.room_id, retired_at=utc(MONDAY, 0))
    slots = room_slots(theatre, MONDAY, MONDAY, [], [released, gone])
    assert all(s.held_by is None for s in slots)


def test_a_closure_removes_free_time_and_a_room_in_maintenance_or_retired_has_none():
    closed = RoomHoursException(
        start=utc(MONDAY, 7), end=utc(MONDAY, 12), kind=HoursExceptionKind.CLOSURE
    )
    slots = room_slots(room(exceptions=(closed,)), MONDAY, MONDAY, [])
    assert [s.span.start.hour for s in slots] == [12]
    assert room_slots(room(status=RoomStatus.MAINTENANCE), MONDAY, MONDAY, []) == []
    assert room_slots(room(retired_at=utc(MONDAY, 0)), MONDAY, MONDAY, []) == []


def test_time_open_over_midnight_is_one_slot_per_local_day():
    always = room(weekly_hours=weekdays("00:00", "24:00"))
    slots = room_slots(always, MONDAY, MONDAY + timedelta(days=1), [])
    assert [(s.span.start, s.span.end) for s in slots] == [
        (utc(MONDAY, 0) - timedelta(hours=1), utc(MONDAY, 23)),
        (utc(MONDAY, 23), utc(MONDAY, 23) + timedelta(days=1)),
    ]


def test_a_single_date_block_holds_only_that_date():
    theatre = room()
    once = block(theatre.room_id, recurrence=SingleDate(date=MONDAY + timedelta(days=1)))
    slots = room_slots(theatre, MONDAY, MONDAY + timedelta(days=1), [], [once])
    assert [s.span.start.date() for s in slots if s.held_by] == [MONDAY + timedelta(days=1)]


def test_a_slot_id_names_its_room_and_start_and_fits_fhirs_64_characters():
    theatre = room()
    span = Span(utc(MONDAY, 7), utc(MONDAY, 16))
    text = slot_id(theatre.room_id, span)
    assert len(text) <= 64
    assert parse_slot_id(text) == (theatre.room_id, span.start)
    assert parse_slot_id("not-a-slot") is None
    assert parse_slot_id(f"{theatre.room_id}-202613450000-202612071600") is None


@settings(max_examples=30, deadline=None)
@given(rooms(), st.lists(st.integers(0, 14 * 24 * 4), max_size=4))
def test_slots_never_overlap_stay_within_a_day_and_validate(snapshot, quarter_hours):
    first = MONDAY
    booked = [
        Span(utc(first, 0) + timedelta(minutes=15 * q), utc(first, 2) + timedelta(minutes=15 * q))
        for q in quarter_hours
    ]
    slots = room_slots(snapshot, first, first + timedelta(days=6), booked)
    for before, after in pairwise(slots):
        assert before.span.end <= after.span.start
    zone = ZoneInfo(snapshot.timezone)
    for slot in slots:
        last_moment = slot.span.end - timedelta(microseconds=1)
        assert slot.span.start.astimezone(zone).date() == last_moment.astimezone(zone).date()
        resource = Slot.model_validate_json(slot_of(slot).model_dump_json(exclude_none=True))
        assert resource.id == slot.id
        assert resource.schedule.reference == f"Schedule/{snapshot.room_id}"
