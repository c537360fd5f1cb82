"""The registry knows every event by type and version, on the topic it travels on."""

from __future__ import annotations

import pytest
from contracts import EVENTS, ContractViolation, UnknownEventType, events_on, resolve
from contracts.envelope import Event
from contracts.events import SurgeryRequested, UserRegistered
from contracts.examples import EXAMPLES
from contracts.registry import _index
from contracts.topics import ALL_TOPICS, AUTH_USERS


@pytest.mark.parametrize("topic", ALL_TOPICS, ids=str)
def test_every_topic_has_at_least_one_event(topic):
    assert events_on(topic)


def test_every_event_travels_on_a_known_topic():
    assert {cls.topic for cls in EVENTS.values()} == set(ALL_TOPICS)


def test_registry_is_keyed_by_each_events_own_type_and_version():
    for (event_type, version), cls in EVENTS.items():
        assert (cls.event_type, cls.event_version) == (event_type, version)


def test_event_type_defaults_to_the_class_name():
    assert SurgeryRequested.event_type == "SurgeryRequested"
    assert SurgeryRequested.event_version == 1


def test_events_on_accepts_a_topic_or_its_name():
    assert events_on(AUTH_USERS) == events_on("auth.users.v1")
    assert UserRegistered in events_on(AUTH_USERS)
    assert events_on("no.such.topic") == ()


def test_resolve_finds_every_registered_event():
    for (event_type, version), cls in EVENTS.items():
        assert resolve(event_type, version) is cls


def test_rejects_event_with_unknown_version_naming_the_known_ones():
    with pytest.raises(UnknownEventType, match=r"version 9 \(known versions: \[1\]\)"):
        resolve("SurgeryRequested", 9)


def test_rejects_unknown_event_type():
    with pytest.raises(UnknownEventType, match="no such event type"):
        resolve("SurgeryTeleported", 1)


def test_unknown_event_type_is_a_contract_violation_and_a_lookup_error():
    assert issubclass(UnknownEventType, ContractViolation)
    assert issubclass(UnknownEventType, LookupError)
    assert issubclass(ContractViolation, ValueError)


def test_refuses_an_event_type_and_version_defined_twice():
    class SurgeryRequestedAgain(Event):
        event_type = "SurgeryRequested"
        topic = SurgeryRequested.topic

    with pytest.raises(RuntimeError, match="defined twice"):
        _index([SurgeryRequested, SurgeryRequestedAgain])


def test_registry_cannot_be_changed_at_runtime():
    with pytest.raises(TypeError):
        EVENTS[("Forged", 1)] = SurgeryRequested  # type: ignore[index]


def test_every_event_has_an_example():
    assert set(EXAMPLES) == set(EVENTS.values())


@pytest.mark.parametrize("cls", EVENTS.values(), ids=lambda c: c.event_type)
def test_every_event_is_keyed_by_one_of_its_own_fields(cls):
    example = EXAMPLES[cls]
    assert cls.key_field in cls.model_fields
    assert example.aggregate_id() == str(getattr(example, cls.key_field))
