"""The SIU builder over every story a case can tell: each message valid, each trigger right."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from contracts.envelope import Event
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
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.exceptions import HL7apyException
from hl7apy.parser import parse_message
from hypothesis import given, settings
from hypothesis import strategies as st
from interop_service.domain import siu_feed, siu_messages
from interop_service.domain.siu_feed import CaseState, Trigger

SENDER = siu_messages.Sender("ORSCHED", "HOSPITAL", timezone="Europe/Amsterdam")
T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
BY = uuid.uuid4()

names = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1
).filter(lambda s: 1 <= len(s.strip()) <= 200)
mrns = st.from_regex(r"^[A-Za-z0-9-]{1,32}$", fullmatch=True)
codes = st.from_regex(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,31}$", fullmatch=True)
systems = st.none() | st.sampled_from(
    ["opcs4", "icd10pcs", "snomed_ct", "a_very_long_local_system"]
)


@st.composite
def bookings(draw: st.DrawFn) -> Booking:
    start = T0 + timedelta(minutes=15 * draw(st.integers(0, 4 * 24 * 30)))
    people = draw(st.lists(st.sampled_from(list(StaffRole)), max_size=6))
    return Booking(
        room_id=draw(st.sampled_from(ROOMS)),
        start=start,
        end=start + timedelta(minutes=draw(st.integers(15, 600))),
        setup_minutes=draw(st.integers(0, 60)),
        cleanup_minutes=draw(st.integers(0, 60)),
        staff=tuple(StaffAssignment(staff_id=uuid.uuid4(), role=r) for r in people),
        equipment_unit_ids=tuple(uuid.uuid4() for _ in range(draw(st.integers(0, 3)))),
    )


ROOMS = [uuid.uuid4() for _ in range(3)]


@st.composite
def requests(draw: st.DrawFn, case_id: uuid.UUID, cls: Any = SurgeryRequested) -> Event:
    extra = {"changed_by": BY} if cls is SurgeryRequestChanged else {}
    return cls(
        surgery_id=case_id,
        patient_mrn=draw(mrns),
        procedure=Procedure(code=draw(codes), name=draw(names), coding_system=draw(systems)),
        surgeon_id=uuid.uuid4(),
        specialty="orthopaedics",
        expected_duration_minutes=60,
        priority=draw(st.sampled_from(list(SurgeryPriority))),
        anaesthesia_type=AnaesthesiaType.GENERAL,
        requested_by=BY,
        **extra,
    )


@st.composite
def stories(draw: st.DrawFn) -> list[Event]:
    """A case's events in an order scheduling can publish them (domain/lifecycle.py)."""
    case_id = uuid.uuid4()
    events: list[Event] = [draw(requests(case_id))]
    status = SurgeryStatus.REQUESTED
    booking: Booking | None = None
    for _ in range(draw(st.integers(0, 8))):
        if status in (SurgeryStatus.COMPLETED, SurgeryStatus.CANCELLED):
            break
        waiting = status in (SurgeryStatus.REQUESTED, SurgeryStatus.POSTPONED)
        moves = ["book", "correct", "cancel"] if waiting else []
        if status in (SurgeryStatus.SCHEDULED, SurgeryStatus.CONFIRMED):
            moves += ["reschedule", "restaff", "postpone", "cancel", "wheels_in"]
        if status is SurgeryStatus.SCHEDULED:
            moves.append("confirm")
        if status is SurgeryStatus.IN_ROOM:
            moves.append("wheels_out")
        move = draw(st.sampled_from(moves))
        now = T0 + timedelta(minutes=len(events))
        if move == "book":
            booking = draw(bookings())
            events.append(SurgeryScheduled(surgery_id=case_id, booking=booking))
            status = SurgeryStatus.SCHEDULED
        elif move == "correct":
            events.append(draw(requests(case_id, SurgeryRequestChanged)))
        elif move in ("reschedule", "restaff"):
            assert booking is not None
            if move == "reschedule":
                new = draw(bookings())
            else:
                new = booking.model_copy(
                    update={"staff": draw(bookings()).staff, "cleanup_minutes": 5}
                )
            events.append(
                SurgeryRescheduled(surgery_id=case_id, previous_booking=booking, new_booking=new)
            )
            booking = new
            status = SurgeryStatus.SCHEDULED
        elif move == "cancel":
            reason = draw(st.sampled_from(["no_bed", "patient_did_not_attend", "other"]))
            events.append(
                SurgeryCancelled(
                    surgery_id=case_id,
                    reason_code=reason,
                    cancelled_by=BY,
                    cancelled_at=now,
                )
            )
            status = SurgeryStatus.CANCELLED
        else:
            target = {
                "postpone": SurgeryStatus.POSTPONED,
                "confirm": SurgeryStatus.CONFIRMED,
                "wheels_in": SurgeryStatus.IN_ROOM,
                "wheels_out": SurgeryStatus.COMPLETED,
            }[move]
            events.append(
                SurgeryStatusChanged(
                    surgery_id=case_id,
                    from_status=status,
                    to_status=target,
                    reason_code="no_staff" if move == "postpone" else None,
                    changed_at=now,
                )
            )
            status = target
    return events


def expected(events: list[Event]) -> list[Trigger]:
    """The triggers a reader of the story expects, told independently of the module."""
    triggers: list[Trigger] = []
    booked: Booking | None = None
    for event in events:
        if isinstance(event, SurgeryScheduled):
            triggers.append(Trigger.S12)
            booked = event.booking
        elif isinstance(event, SurgeryRescheduled):
            assert booked is not None
            same_place = (booked.room_id, booked.start, booked.end) == (
                event.new_booking.room_id,
                event.new_booking.start,
                event.new_booking.end,
            )
            triggers.append(Trigger.S14 if same_place else Trigger.S13)
            booked = event.new_booking
        elif isinstance(event, SurgeryCancelled) and booked is not None:
            no_show = event.reason_code == "patient_did_not_attend"
            triggers.append(Trigger.S26 if no_show else Trigger.S15)
            booked = None
        elif isinstance(event, SurgeryStatusChanged) and event.to_status is SurgeryStatus.POSTPONED:
            triggers.append(Trigger.S15)
            booked = None
    return triggers


def tell(events: list[Event]) -> list[tuple[uuid.UUID, siu_messages.BuiltMessage]]:
    state = CaseState()
    built = []
    for event in events:
        state, change = siu_feed.follow(state, event)
        if change is not None:
            event_id = uuid.uuid4()
            built.append(
                (event_id, siu_messages.build(change, event_id=event_id, at=T0, sender=SENDER))
            )
    return built


def strictly_parsed(er7: str) -> Any:
    message = parse_message(er7, validation_level=VALIDATION_LEVEL.STRICT, find_groups=True)
    message.validate()
    return message


@settings(max_examples=60)
@given(stories())
def test_every_story_builds_valid_messages_with_the_triggers_it_calls_for(
    events: list[Event],
) -> None:
    built = tell(events)
    assert [message.trigger for _, message in built] == expected(events)
    for event_id, message in built:
        parsed = strictly_parsed(message.er7)
        assert parsed.to_er7() + "\r" == message.er7  # hl7apy writes back the very text
        assert parsed.msh.msh_9.to_er7() == f"SIU^{message.trigger}^SIU_S12"
        assert parsed.msh.msh_10.to_er7() == siu_messages.control_id(event_id)
        assert parsed.sch.sch_1.ei_1.to_er7() == str(events[0].aggregate_id())
        pid = parsed.siu_s12_patient.pid
        assert pid.pid_3.cx_1.to_er7() in {
            e.patient_mrn for e in events if isinstance(e, SurgeryRequested | SurgeryRequestChanged)
        }


@settings(max_examples=30)
@given(stories())
def test_a_case_that_never_had_a_booking_sends_nothing(events: list[Event]) -> None:
    cut = next((i for i, e in enumerate(events) if isinstance(e, SurgeryScheduled)), len(events))
    assert tell(events[:cut]) == []


def booked_case() -> tuple[list[Event], Booking]:
    case_id = uuid.uuid4()
    booking = Booking(
        room_id=ROOMS[0],
        start=T0,
        end=T0 + timedelta(hours=2),
        setup_minutes=15,
        cleanup_minutes=20,
        staff=(
            StaffAssignment(staff_id=uuid.uuid4(), role=StaffRole.ANAESTHETIST),
            StaffAssignment(staff_id=uuid.uuid4(), role=StaffRole.SCRUB_NURSE),
        ),
        equipment_unit_ids=(uuid.uuid4(),),
    )
    request = SurgeryRequested(
        surgery_id=case_id,
        patient_mrn="MRN-0012345",
        procedure=Procedure(
            code="W37.1", name="Hip | ^ & ~ \\ replacement\r", coding_system="opcs4"
        ),
        surgeon_id=uuid.uuid4(),
        specialty="orthopaedics",
        expected_duration_minutes=120,
        priority=SurgeryPriority.ELECTIVE,
        anaesthesia_type=AnaesthesiaType.GENERAL,
        requested_by=BY,
    )
    return [request, SurgeryScheduled(surgery_id=case_id, booking=booking)], booking


def test_a_new_booking_names_the_patient_by_mrn_the_procedure_room_and_every_person() -> None:
    events, booking = booked_case()
    ((_, message),) = tell(events)
    parsed = strictly_parsed(message.er7)
    request = events[0]
    assert isinstance(request, SurgeryRequested)
    assert parsed.siu_s12_patient.pid.pid_3.to_er7() == "MRN-0012345^^^HOSPITAL^MR"
    assert parsed.siu_s12_patient.pid.pid_5.to_er7() == '""'
    resources = parsed.siu_s12_resources
    ais = resources.siu_s12_service.ais
    assert ais.ais_3.to_er7() == "W37.1^Hip \\F\\ \\S\\ \\T\\ \\R\\ \\E\\ replacement^99OPCS4"
    ail = resources.siu_s12_location_resource.ail
    assert ail.ail_3.pl_10.ei_1.to_er7() == str(booking.room_id)
    assert ail.ail_6.to_er7() == "20261207084500+0100"  # setup starts 15 minutes before 09:00
    assert ail.ail_9.to_er7() == "155"
    people = [
        (g.aip.aip_3.xcn_1.to_er7(), g.aip.aip_4.ce_1.to_er7())
        for g in resources.siu_s12_personnel_resource
    ]
    assert people == [
        (str(request.surgeon_id), "surgeon"),
        (str(booking.staff[0].staff_id), "anaesthetist"),
        (str(booking.staff[1].staff_id), "scrub_nurse"),
    ]
    units = [g.aig.aig_3.ce_1.to_er7() for g in resources.siu_s12_general_resource]
    assert units == [str(booking.equipment_unit_ids[0])]
    assert parsed.sch.sch_11.to_er7() == "^^M120^20261207090000+0100^20261207110000+0100"
    assert parsed.sch.sch_25.ce_1.to_er7() == "Booked"


def test_the_same_event_builds_the_same_message_byte_for_byte() -> None:
    events, _ = booked_case()
    _, change = siu_feed.follow(siu_feed.follow(CaseState(), events[0])[0], events[1])
    assert change is not None
    event_id = uuid.uuid4()
    first = siu_messages.build(change, event_id=event_id, at=T0, sender=SENDER)
    again = siu_messages.build(change, event_id=event_id, at=T0, sender=SENDER)
    assert first == again
    assert len(first.control_id) == 20


def test_a_no_show_is_an_s26_and_other_cancellations_an_s15_marked_cancelled() -> None:
    events, _ = booked_case()
    case_id = uuid.UUID(events[0].aggregate_id())
    no_show = SurgeryCancelled(
        surgery_id=case_id, reason_code="patient_did_not_attend", cancelled_by=BY, cancelled_at=T0
    )
    *_, (_, s26) = tell([*events, no_show])
    assert s26.trigger is Trigger.S26
    assert strictly_parsed(s26.er7).sch.sch_25.ce_1.to_er7() == "Noshow"
    cancelled = no_show.model_copy(update={"reason_code": "no_bed"})
    *_, (_, s15) = tell([*events, cancelled])
    assert s15.trigger is Trigger.S15
    assert strictly_parsed(s15.er7).sch.sch_6.ce_1.to_er7() == "no_bed"


def verdict(check: Any, text: str) -> bool:
    try:
        check(text)
    except (HL7apyException, ValueError):  # hl7apy raises ValueError on some bad values
        return False
    return True


# Values put in place of one in a message of a proven shape: digits, dates, long and short
# text, no delimiters, so the shape stays and only the value's validity is at stake.
values = st.one_of(
    st.from_regex(r"^[0-9]{1,25}$", fullmatch=True),
    st.from_regex(r"^[0-9]{8,14}([+-][0-9]{4})?$", fullmatch=True),
    st.from_regex(r"^[A-Za-z0-9 .-]{1,300}$", fullmatch=True).filter(str.strip),
    st.sampled_from(
        ["Booked", "S12", "min", "2.5", "20261301250000", "1e3", "-1", "X" * 200, " ", "  "]
    ),
)


@settings(max_examples=60)
@given(stories(), st.data())
def test_the_quick_check_of_a_proven_shape_agrees_with_hl7apy_whole_on_any_value(
    events: list[Event], data: st.DataObject
) -> None:
    built = tell(events)  # each message's shape is proven by a whole parse, or was before
    if not built:
        return
    segments = built[-1][1].er7.rstrip("\r").split("\r")
    where = data.draw(st.integers(0, len(segments) - 1))
    name, *fields = segments[where].split("|")
    candidates = [
        (i, j)
        for i, field in enumerate(fields)
        for j, part in enumerate(re.split(r"[\^~&\\]", field))
        if part.strip() and not (name == "MSH" and i in (0, 7, 10))  # separators, type, version
    ]
    if not candidates:
        return
    i, j = data.draw(st.sampled_from(candidates))
    parts = re.split(r"([\^~&\\])", fields[i])
    parts[2 * j] = data.draw(values)
    fields[i] = "".join(parts)
    segments[where] = "|".join((name, *fields))
    mutant = "\r".join(segments)
    assert verdict(siu_messages.validate, mutant) == verdict(siu_messages.validate_whole, mutant)


def test_a_value_hl7apy_refuses_with_a_value_error_is_a_clear_error_of_the_message() -> None:
    events, booking = booked_case()
    long_ago = datetime(1, 1, 1, 9, 0, tzinfo=UTC)  # hl7apy: "not an HL7 valid date value"
    moved = booking.model_copy(update={"start": long_ago, "end": long_ago + timedelta(hours=1)})
    _, change = siu_feed.follow(siu_feed.follow(CaseState(), events[0])[0], events[1])
    assert change is not None
    for _ in range(2):  # the message's shape proven by a whole parse, then by the quick check
        with pytest.raises(siu_messages.SiuMessageInvalid, match=r"not valid HL7 v2\.5"):
            siu_messages.build(
                replace(change, booking=moved), event_id=uuid.uuid4(), at=T0, sender=SENDER
            )


def test_a_field_of_a_known_shape_is_checked_by_its_values_datatypes() -> None:
    siu_messages._field_valid("AIS_4", "20261207090000+0100")
    siu_messages._field_valid("AIS_4", "20261207100000+0100")  # the quick path
    with pytest.raises(ValueError):
        siu_messages._field_valid("AIS_4", "20261307100000+0100")  # no 13th month
    with pytest.raises(HL7apyException):
        siu_messages._field_valid("PID_3", "M" * 300 + "^^^HOSPITAL^MR")  # too long a CX.1
