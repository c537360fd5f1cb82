"""Every event type by name and version, and parsing of raw Kafka message values into events."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from contracts.envelope import Envelope, Event
from contracts.events import (
    audit,
    auth_users,
    interop_service_requests,
    interop_siu,
    optimizer_schedules,
    resources_blocks,
    resources_equipment,
    resources_operating_rooms,
    resources_staff,
    scheduling_optimization_requests,
    scheduling_surgeries,
)
from contracts.topics import Topic

_MAX_ERRORS_SHOWN = 10
M = TypeVar("M", bound=BaseModel)


class ContractViolation(ValueError):
    """A message that does not honour the contract: never valid, however often it is retried."""


class UnknownEventType(ContractViolation, LookupError):
    """No event of this type and version exists in this version of the contracts."""


def _index(event_classes: Iterable[type[Event]]) -> Mapping[tuple[str, int], type[Event]]:
    index: dict[tuple[str, int], type[Event]] = {}
    for cls in event_classes:
        key = (cls.event_type, cls.event_version)
        if key in index:
            raise RuntimeError(f"{key} is defined twice: {index[key]} and {cls}")
        index[key] = cls
    return MappingProxyType(index)


EVENTS: Mapping[tuple[str, int], type[Event]] = _index(
    (
        *auth_users.EVENTS,
        *resources_operating_rooms.EVENTS,
        *resources_staff.EVENTS,
        *resources_equipment.EVENTS,
        *resources_blocks.EVENTS,
        *scheduling_surgeries.EVENTS,
        *scheduling_optimization_requests.EVENTS,
        *optimizer_schedules.EVENTS,
        *audit.EVENTS,
        *interop_service_requests.EVENTS,
        *interop_siu.EVENTS,
    )
)


def events_on(topic: Topic | str) -> tuple[type[Event], ...]:
    """The event types that travel on `topic`, in the order they are defined."""
    name = topic if isinstance(topic, str) else topic.name
    return tuple(cls for cls in EVENTS.values() if cls.topic.name == name)


def resolve(event_type: str, event_version: int) -> type[Event]:
    try:
        return EVENTS[(event_type, event_version)]
    except KeyError:
        known = sorted(v for (t, v) in EVENTS if t == event_type)
        hint = f"known versions: {known}" if known else "no such event type"
        raise UnknownEventType(
            f"unknown event {event_type!r} version {event_version} ({hint})"
        ) from None


def parse_envelope(raw: bytes) -> tuple[Envelope, Event]:
    """The envelope and its event, validated; unknown fields are ignored (newer producers).

    Raises `ContractViolation` saying which field is wrong and why.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContractViolation(f"message is not UTF-8: {exc.reason} at byte {exc.start}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContractViolation(
            f"message is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        # Hostile nesting must be refused like any other malformed message, not crash a consumer.
        raise ContractViolation("message is nested too deeply to be an envelope") from None
    envelope = _validated(Envelope, document, "envelope")
    event_class = resolve(envelope.event_type, envelope.event_version)
    what = f"{envelope.event_type} v{envelope.event_version} data (event {envelope.event_id})"
    return envelope, _validated(event_class, envelope.data, what)


def _validated(model: type[M], document: object, what: str) -> M:
    try:
        return model.model_validate(document, extra="ignore")
    except ValidationError as exc:
        raise ContractViolation(f"invalid {what}: {describe(exc)}") from None


def describe(error: ValidationError) -> str:
    """A validation error in one line: `field.path: why` for each problem, the first few only."""
    problems = [
        f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in error.errors()
    ]
    shown = "; ".join(problems[:_MAX_ERRORS_SHOWN])
    hidden = len(problems) - _MAX_ERRORS_SHOWN
    return shown + (f"; and {hidden} more" if hidden > 0 else "")
