"""Every story a case can live through maps to FHIR resources that validate and say the same
story: the Appointment's status, times and people, the ServiceRequest's status; and the read
model converges on the same case whatever order its events arrive in."""

from __future__ import annotations

import itertools
from datetime import datetime

from contracts.envelope import Event
from contracts.events.scheduling_surgeries import SurgeryStatus
from contracts.vocabulary import SurgeryPriority
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from interop_service.domain import fhir_cases_terms as terms
from interop_service.domain.fhir_cases_fhir import Placer, appointment, service_request
from interop_service.domain.fhir_cases_record import CaseRecord, apply

from tests.unit.interop.fhir_cases.case_events import Case, moments

S = SurgeryStatus
# Which moves the lifecycle allows from each status (scheduling's `domain/lifecycle.py`).
MOVES = {
    S.REQUESTED: ("book", "cancel", "correct"),
    S.POSTPONED: ("book", "cancel", "correct"),
    S.SCHEDULED: ("reschedule", "confirm", "wheels_in", "postpone", "cancel"),
    S.CONFIRMED: ("reschedule", "wheels_in", "postpone", "cancel"),
    S.IN_ROOM: ("wheels_out",),
    S.COMPLETED: (),
    S.CANCELLED: (),
}


@st.composite
def stories(draw: st.DrawFn) -> tuple[Case, list[Event]]:
    """A case's events as scheduling would publish them, along a path its lifecycle allows."""
    case = Case()
    events: list[Event] = [case.requested(draw(st.sampled_from(SurgeryPriority)))]
    status, booking = S.REQUESTED, None
    for _ in range(draw(st.integers(0, 8))):
        if not MOVES[status]:
            break
        move = draw(st.sampled_from(MOVES[status]))
        if move in ("book", "reschedule"):
            after = case.booking(
                room=draw(st.integers(0, 1)),
                hours_later=draw(st.integers(1, 9)),
                team=draw(st.booleans()),
            )
            if booking is None:
                events.append(case.scheduled(after))
            else:
                events.append(case.rescheduled(booking, after))
                if status is S.CONFIRMED:
                    events.append(case.status(S.CONFIRMED, S.SCHEDULED))
            status, booking = S.SCHEDULED, after
        elif move == "correct":
            events.append(case.corrected())
        elif move == "cancel":
            reason = draw(st.sampled_from(["no_bed", terms.NO_SHOW_REASON]))
            events.append(case.cancelled(reason))
            status = S.CANCELLED
        else:
            target = {
                "confirm": S.CONFIRMED,
                "wheels_in": S.IN_ROOM,
                "wheels_out": S.COMPLETED,
                "postpone": S.POSTPONED,
            }[move]
            events.append(case.status(status, target, **_wheels(move, booking)))
            status = target
            booking = None if target is S.POSTPONED else booking
    return case, events


def _wheels(move: str, booking) -> dict[str, datetime]:
    if move == "wheels_in":
        return {"wheels_in": booking.start}
    if move == "wheels_out":
        return {"wheels_in": booking.start, "wheels_out": booking.end}
    return {}


def read(events: list[Event], at: list[datetime]) -> CaseRecord | None:
    record = None
    for event, moment in zip(events, at, strict=True):
        record = apply(record, event, moment) or record
    return record


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stories())
def test_every_step_of_a_story_gives_resources_that_validate_and_tell_it(story) -> None:
    case, events = story
    record = None
    for event, moment in zip(events, moments(len(events)), strict=True):
        record = apply(record, event, moment) or record
        assert record is not None
        _check_appointment(record)
        order = service_request(record)
        assert order is not None
        assert order.status == terms.order_status(record.status)
        assert order.subject.identifier.value == case.mrn
        masked = service_request(record, show_patient=False)
        assert masked is not None and masked.subject.identifier is None


def _check_appointment(record: CaseRecord) -> None:
    shown = appointment(record)
    if not record.was_booked:
        assert shown is None
        return
    assert shown is not None
    assert shown.status in {"booked", "arrived", "fulfilled", "cancelled", "noshow", "waitlist"}
    # app-3: only proposed, cancelled or waitlisted Appointments may lack start and end.
    assert (shown.start is None) == (shown.end is None)
    assert shown.start is not None or shown.status in ("cancelled", "waitlist")
    references = {p.actor.reference for p in shown.participant if p.actor.reference}
    surgeon = record.request.surgeon_id
    assert f"Practitioner/{surgeon}" in references
    if record.booking is not None and shown.status != "waitlist":
        assert f"Location/{record.booking.room_id}" in references
        assert shown.minutesDuration == 120
    patients = [p for p in shown.participant if p.actor.identifier is not None]
    assert [p.actor.identifier.value for p in patients] == [record.request.patient_mrn]
    hidden = appointment(record, show_patient=False)
    assert all(p.actor.identifier is None for p in hidden.participant)


@settings(max_examples=40, deadline=None)
@given(stories(), st.randoms(use_true_random=False))
def test_events_in_any_order_or_delivered_twice_converge_on_the_case_read_in_order(
    story, random
) -> None:
    _, events = story
    at = moments(len(events))
    in_order = read(events, at)
    pairs = list(zip(events, at, strict=True))
    random.shuffle(pairs)
    pairs += random.sample(pairs, k=min(3, len(pairs)))  # some delivered again, late
    shuffled = read([e for e, _ in pairs], [t for _, t in pairs])
    assert shuffled == in_order


def test_an_older_event_after_a_newer_one_changes_nothing() -> None:
    case = Case()
    first, moved = case.booking(), case.booking(room=1)
    at = moments(3)
    record = read([case.requested(), case.scheduled(first), case.rescheduled(first, moved)], at)
    assert apply(record, case.scheduled(first), at[1]) is None


def test_the_appointment_status_is_defined_for_every_status_a_case_can_have() -> None:
    for status, booked, holding, reason in itertools.product(
        S, (True, False), (True, False), (None, "no_bed", terms.NO_SHOW_REASON)
    ):
        mapped = terms.appointment_status(
            status, was_booked=booked, has_booking=holding, reason_code=reason
        )
        assert (mapped is None) == (not booked or status is S.REQUESTED)
        assert terms.order_status(status) in ("active", "completed", "revoked")


def test_a_cancelled_case_whose_patient_did_not_attend_is_a_no_show() -> None:
    case = Case()
    events = [case.requested(), case.scheduled(), case.cancelled(terms.NO_SHOW_REASON)]
    shown = appointment(read(events, moments(3)))
    assert shown is not None and shown.status == "noshow"
    assert shown.cancelationReason.coding[0].code == terms.NO_SHOW_REASON


def test_a_waiting_case_is_an_active_order_without_an_appointment() -> None:
    case = Case()
    record = read([case.requested(SurgeryPriority.EMERGENCY)], moments(1))
    assert appointment(record) is None
    order = service_request(record)
    assert (order.status, order.intent, order.priority) == ("active", "order", "stat")
    assert order.occurrencePeriod is None


def test_a_postponed_case_is_waitlisted_without_its_freed_time() -> None:
    case = Case()
    events = [
        case.requested(),
        case.scheduled(),
        case.status(S.SCHEDULED, S.POSTPONED, reason_code="no_bed"),
    ]
    shown = appointment(read(events, moments(3)))
    assert shown is not None and shown.status == "waitlist"
    assert shown.start is None
    assert not any(
        p.actor.reference and p.actor.reference.startswith("Location/") for p in shown.participant
    )


def test_an_order_placed_through_fhir_carries_its_placer_number_back() -> None:
    case = Case()
    record = read([case.requested()], moments(1))
    placer = Placer(system="urn:oid:1.2.3.4", value="ORD-1")
    order = service_request(record, show_patient=False, placer=placer)
    assert order is not None
    assert [(i.system, i.value, i.type.coding[0].code) for i in order.identifier] == [
        ("urn:oid:1.2.3.4", "ORD-1", "PLAC")
    ]
