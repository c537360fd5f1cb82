"""Raw Kafka values become an envelope and its event, or a ContractViolation saying why not."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from contracts import EVENTS, ContractViolation, Envelope, UnknownEventType, parse_envelope
from contracts.events import ScheduleOptimized, SurgeryCancelled, UserRegistered
from contracts.examples import EXAMPLES
from hypothesis import given
from hypothesis import strategies as st


def _raw(event, **changes) -> bytes:
    envelope = Envelope.wrap(event, producer="scheduling").model_dump(mode="json")
    envelope.update(changes)
    return json.dumps(envelope).encode()


def _with_data(event, **data_changes) -> bytes:
    data = event.model_dump(mode="json") | data_changes
    return _raw(event, data=data)


@pytest.mark.parametrize("cls", EVENTS.values(), ids=lambda c: c.event_type)
def test_envelope_round_trips_every_event_type(cls):
    event = EXAMPLES[cls]
    envelope = Envelope.wrap(event, producer="scheduling", causation_id=uuid.uuid4())

    parsed_envelope, parsed_event = parse_envelope(envelope.model_dump_json().encode())

    assert parsed_event == event
    assert type(parsed_event) is cls
    assert parsed_envelope == envelope


def test_wrap_names_the_event_and_defaults_correlation_to_the_event_id():
    event = EXAMPLES[SurgeryCancelled]
    moment = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)

    envelope = Envelope.wrap(event, producer="scheduling", occurred_at=moment)

    assert (envelope.event_type, envelope.event_version) == ("SurgeryCancelled", 1)
    assert envelope.correlation_id == envelope.event_id
    assert envelope.occurred_at == moment
    assert envelope.data["reason_code"] == "no_bed"


def test_rejects_event_with_unknown_version():
    with pytest.raises(UnknownEventType, match="'UserRegistered' version 2"):
        parse_envelope(_raw(EXAMPLES[UserRegistered], event_version=2))


def test_rejects_unknown_event_type():
    with pytest.raises(ContractViolation, match="'SurgeryTeleported'"):
        parse_envelope(_raw(EXAMPLES[UserRegistered], event_type="SurgeryTeleported"))


def test_rejects_message_that_is_not_utf8():
    with pytest.raises(ContractViolation, match="not UTF-8"):
        parse_envelope(b'{"event_id": "\xff"}')


def test_rejects_message_that_is_not_json():
    with pytest.raises(ContractViolation, match=r"not JSON.*line 1"):
        parse_envelope(b'{"event_id": ')


def test_rejects_json_that_is_not_an_object():
    with pytest.raises(ContractViolation, match=r"invalid envelope: \(root\)"):
        parse_envelope(b"[1, 2]")


def test_rejects_envelope_missing_a_field_naming_it():
    raw = json.loads(_raw(EXAMPLES[UserRegistered]))
    del raw["event_id"]
    with pytest.raises(ContractViolation, match="invalid envelope: event_id: Field required"):
        parse_envelope(json.dumps(raw).encode())


def test_rejects_invalid_data_naming_the_event_and_the_field():
    raw = _with_data(EXAMPLES[UserRegistered], roles=["admin", "janitor"])
    with pytest.raises(ContractViolation) as caught:
        parse_envelope(raw)
    message = str(caught.value)
    assert message.startswith("invalid UserRegistered v1 data (event ")
    assert "roles.1: Input should be 'admin'" in message


def test_rejects_data_that_breaks_a_rule_of_the_event():
    raw = _with_data(EXAMPLES[SurgeryCancelled], cancelled_at="2026-12-10T06:45:00")
    with pytest.raises(ContractViolation, match="cancelled_at: Input should have timezone info"):
        parse_envelope(raw)


def test_violation_lists_at_most_ten_problems():
    data = {field: None for field in SurgeryCancelled.model_fields}
    with pytest.raises(ContractViolation) as caught:
        parse_envelope(_raw(EXAMPLES[SurgeryCancelled], data=data | {"a": 1}))
    assert str(caught.value).count(": ") <= 12


def test_ignores_fields_added_by_a_newer_producer():
    event = EXAMPLES[SurgeryCancelled]
    data = event.model_dump(mode="json") | {"ward": "4B"}
    raw = _raw(event, data=data, trace_parent="00-abc")

    envelope, parsed = parse_envelope(raw)

    assert parsed == event
    assert "ward" not in parsed.model_dump()
    assert envelope.event_type == "SurgeryCancelled"


def test_events_still_refuse_unknown_fields_when_built_by_a_producer():
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        SurgeryCancelled(**EXAMPLES[SurgeryCancelled].model_dump(), ward="4B")


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise_anything_but_a_contract_violation(raw):
    with pytest.raises(ContractViolation):
        parse_envelope(raw)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@given(st.dictionaries(st.sampled_from(sorted(SurgeryCancelled.model_fields)), _json, max_size=3))
def test_arbitrary_data_is_either_a_valid_event_or_a_contract_violation(overrides):
    raw = _with_data(EXAMPLES[SurgeryCancelled], **overrides)
    try:
        _, event = parse_envelope(raw)
    except ContractViolation:
        return
    assert isinstance(event, SurgeryCancelled)


def test_rejects_numbers_that_json_cannot_carry():
    event = EXAMPLES[ScheduleOptimized]
    data = event.model_dump(mode="json")
    data["solver"]["objective"] = float("nan")
    with pytest.raises(
        ContractViolation, match=r"solver\.objective: Input should be a finite number"
    ):
        parse_envelope(_raw(event, data=data))


def test_refuses_hostile_nesting_as_a_contract_violation_not_a_crash():
    from contracts.registry import ContractViolation, parse_envelope

    with pytest.raises(ContractViolation, match="nested too deeply"):
        parse_envelope(b"[" * 100_000)
