"""Events are immutable facts that refuse to be built wrong, with sets and times made precise."""

from __future__ import annotations

import typing
import uuid
from datetime import date

import pydantic
import pytest
from contracts import EVENTS
from contracts.events import (
    AuditRecorded,
    BlockAllocated,
    EquipmentUpserted,
    OperatingRoomUpserted,
    SurgeryRequested,
    SurgeryScheduled,
    SurgeryStatusChanged,
    UserRegistered,
)
from contracts.events.resources_blocks import SingleDate
from contracts.examples import EXAMPLES
from contracts.values import ClockTime, LocalTimeRange, Name, ScheduleDate, Weekday, WeeklyHours
from hypothesis import given
from hypothesis import strategies as st

ValidationError = pydantic.ValidationError


def _changed(cls, **changes):
    """The example of `cls` with some fields replaced, validated again."""
    return cls.model_validate(EXAMPLES[cls].model_dump() | changes)


@pytest.mark.parametrize("cls", EVENTS.values(), ids=lambda c: c.event_type)
def test_events_are_frozen(cls):
    event = EXAMPLES[cls]
    with pytest.raises(ValidationError, match="frozen"):
        setattr(event, cls.key_field, uuid.uuid4())


def _nullable(annotation) -> bool:
    return type(None) in typing.get_args(annotation)


@pytest.mark.parametrize("cls", EVENTS.values(), ids=lambda c: c.event_type)
def test_nullable_fields_default_to_none_so_versions_can_grow(cls):
    for name, field in cls.model_fields.items():
        if _nullable(field.annotation):
            assert not field.is_required(), f"{cls.__name__}.{name} may be null but is required"
            assert field.default is None, f"{cls.__name__}.{name} defaults to {field.default}"


def test_sets_travel_sorted_and_without_duplicates():
    user = _changed(UserRegistered, roles=["viewer", "admin", "viewer"])
    assert [str(r) for r in user.roles] == ["admin", "viewer"]


def test_weekdays_keep_their_calendar_order():
    block = _changed(
        BlockAllocated,
        recurrence={"kind": "weekly", "weekdays": ["friday", "monday"], "valid_from": "2026-01-05"},
    )
    assert block.recurrence.weekdays == (Weekday.MONDAY, Weekday.FRIDAY)


def test_email_is_stored_lowercase():
    assert _changed(UserRegistered, email=" Surgeon@Example.ORG ").email == "surgeon@example.org"


def test_user_needs_at_least_one_role():
    with pytest.raises(ValidationError, match="roles"):
        _changed(UserRegistered, roles=[])


def test_rejects_naive_datetimes():
    with pytest.raises(ValidationError, match="timezone"):
        _changed(SurgeryStatusChanged, changed_at="2026-12-10T11:05:00")


def test_rejects_unknown_time_zone():
    with pytest.raises(ValidationError, match="unknown IANA time zone 'Mars/Olympus'"):
        _changed(OperatingRoomUpserted, timezone="Mars/Olympus")


@given(st.integers(0, 23), st.integers(0, 59))
def test_clock_time_accepts_every_minute_of_the_day(hour, minute):
    text = f"{hour:02d}:{minute:02d}"
    assert pydantic.TypeAdapter(ClockTime).validate_python(text) == text


@pytest.mark.parametrize("text", ["24:01", "25:00", "7:30", "07:60", "07:30:00", "noon"])
def test_clock_time_rejects_what_is_not_hh_mm(text):
    with pytest.raises(pydantic.ValidationError):
        pydantic.TypeAdapter(ClockTime).validate_python(text)


def test_weekly_hours_sort_ranges_and_allow_open_until_midnight():
    hours = WeeklyHours(
        monday=[{"start": "13:00", "end": "24:00"}, {"start": "07:00", "end": "12:00"}]
    )
    assert [r.start for r in hours.on(Weekday.MONDAY)] == ["07:00", "13:00"]
    assert hours.on(Weekday.SUNDAY) == ()


def test_weekly_hours_reject_overlapping_ranges():
    with pytest.raises(ValidationError, match="07:00-12:00 and 11:00-15:00 overlap"):
        WeeklyHours(
            tuesday=[{"start": "07:00", "end": "12:00"}, {"start": "11:00", "end": "15:00"}]
        )


def test_time_range_rejects_end_before_start():
    with pytest.raises(ValidationError, match="end 07:00 must be after start 08:00"):
        LocalTimeRange(start="08:00", end="07:00")


def test_block_belongs_to_exactly_one_of_surgeon_or_service():
    with pytest.raises(ValidationError, match="exactly one of surgeon_id or service"):
        _changed(BlockAllocated, surgeon_id=uuid.uuid4())
    with pytest.raises(ValidationError, match="exactly one of surgeon_id or service"):
        _changed(BlockAllocated, service=None)


def test_block_ends_after_it_starts():
    with pytest.raises(ValidationError, match="end_time 08:00 must be after start_time 08:00"):
        _changed(BlockAllocated, start_time="08:00", end_time="08:00")


def test_block_occurs_on_its_weekdays_except_released_dates():
    block = EXAMPLES[BlockAllocated]  # Mondays and Thursdays from 2026-11-02, 2026-12-07 released
    assert block.occurs_on(date(2026, 12, 3))
    assert not block.occurs_on(date(2026, 12, 7))
    assert not block.occurs_on(date(2026, 12, 8))
    assert not block.occurs_on(date(2026, 10, 29))


def test_single_date_block_occurs_once():
    block = _changed(
        BlockAllocated, recurrence=SingleDate(date=date(2026, 12, 24)), released_dates=[]
    )
    assert block.occurs_on(date(2026, 12, 24))
    assert not block.occurs_on(date(2026, 12, 31))


def test_block_recurrence_names_its_kind_on_the_wire():
    data = EXAMPLES[BlockAllocated].model_dump(mode="json")
    del data["recurrence"]["kind"]
    with pytest.raises(ValidationError, match="recurrence"):
        BlockAllocated.model_validate(data)


def test_booking_takes_the_room_for_setup_and_cleanup_too():
    booking = EXAMPLES[SurgeryScheduled].booking
    assert (booking.start - booking.room_taken_from).total_seconds() == 30 * 60
    assert (booking.room_taken_until - booking.end).total_seconds() == 20 * 60


def test_booking_rejects_end_before_start():
    booking = EXAMPLES[SurgeryScheduled].booking.model_dump()
    with pytest.raises(ValidationError, match=r"end .* must be after start"):
        _changed(SurgeryScheduled, booking=booking | {"end": booking["start"]})


def test_booking_rejects_a_staff_member_assigned_twice():
    booking = EXAMPLES[SurgeryScheduled].booking.model_dump()
    twice = [booking["staff"][0], booking["staff"][0] | {"role": "scrub_nurse"}]
    with pytest.raises(ValidationError, match="assigned more than once"):
        _changed(SurgeryScheduled, booking=booking | {"staff": twice})


def test_surgery_request_rejects_due_date_before_earliest_date():
    with pytest.raises(ValidationError, match="due_date 2026-11-30 is before earliest_date"):
        _changed(SurgeryRequested, due_date=date(2026, 11, 30))


def test_surgery_request_lists_each_staff_role_once_with_a_count():
    with pytest.raises(ValidationError, match="scrub_nurse is listed more than once; use count"):
        _changed(SurgeryRequested, staff_roles_needed=[{"role": "scrub_nurse"}] * 2)


def test_surgery_request_needs_a_positive_duration_of_at_most_a_day():
    for minutes in (0, 24 * 60 + 1):
        with pytest.raises(ValidationError, match="expected_duration_minutes"):
            _changed(SurgeryRequested, expected_duration_minutes=minutes)


def test_status_change_must_change_the_status():
    with pytest.raises(ValidationError, match="both completed"):
        _changed(SurgeryStatusChanged, from_status="completed")


def test_status_change_rejects_wheels_out_before_wheels_in():
    event = EXAMPLES[SurgeryStatusChanged]
    with pytest.raises(ValidationError, match="wheels_out must be after wheels_in"):
        _changed(SurgeryStatusChanged, wheels_out=event.wheels_in)


def test_equipment_rejects_a_unit_listed_twice():
    unit = EXAMPLES[EquipmentUpserted].units[0].model_dump()
    with pytest.raises(ValidationError, match=f"unit {unit['unit_id']} occurs more than once"):
        _changed(EquipmentUpserted, units=[unit, unit])


@pytest.mark.parametrize(
    "details",
    [{"password": "x"}, {"new": {"refresh_token": "x"}}, {"items": [{"passwordHash": "x"}]}],
)
def test_audit_refuses_sensitive_details(details):
    with pytest.raises(ValidationError, match="must not carry sensitive fields"):
        _changed(AuditRecorded, details=details)


def test_audit_accepts_clinical_words_that_merely_look_sensitive():
    assert _changed(AuditRecorded, details={"bypass_minutes": 95}).details == {"bypass_minutes": 95}


def test_audit_user_actor_is_identified_by_user_id():
    with pytest.raises(ValidationError, match="a user actor's id must be a UUID"):
        _changed(AuditRecorded, actor={"kind": "user", "id": "grey"})
    assert _changed(AuditRecorded, actor={"kind": "service", "id": "optimizer"}).actor.id


def _property_names(schema) -> set[str]:
    if isinstance(schema, dict):
        own = (
            set(schema.get("properties", {}))
            if isinstance(schema.get("properties"), dict)
            else set()
        )
        return own.union(*(_property_names(v) for v in schema.values()))
    if isinstance(schema, list):
        return set().union(*(_property_names(v) for v in schema))
    return set()


def test_no_event_carries_credentials():
    names = set().union(*(_property_names(cls.model_json_schema()) for cls in EVENTS.values()))
    assert not {n for n in names if any(w in n for w in ("password", "hash", "token", "secret"))}


def test_patient_data_is_the_mrn_only():
    names = set().union(*(_property_names(cls.model_json_schema()) for cls in EVENTS.values()))
    assert {n for n in names if "patient" in n} == {"patient_mrn"}
    assert not names & {"name_of_patient", "date_of_birth", "birth_date", "address", "diagnosis"}


@pytest.mark.parametrize("typed", ["   ", "Dr\x00Grey", "x" * 201])
def test_a_name_is_neither_blank_nor_nul_bearing_nor_too_long(typed):
    with pytest.raises(pydantic.ValidationError):
        pydantic.TypeAdapter(Name).validate_python(typed)


def test_a_name_is_trimmed():
    assert pydantic.TypeAdapter(Name).validate_python("  Dr Grey ") == "Dr Grey"


@pytest.mark.parametrize("day", ["1899-12-31", "2200-01-01", "9999-12-31", "0001-01-01"])
def test_a_schedule_date_is_within_the_planned_years(day):
    with pytest.raises(pydantic.ValidationError):
        pydantic.TypeAdapter(ScheduleDate).validate_python(day)
