"""Event and API contracts shared by every service."""

from contracts.envelope import Envelope, Event
from contracts.registry import (
    EVENTS,
    ContractViolation,
    UnknownEventType,
    events_on,
    parse_envelope,
    resolve,
)
from contracts.topics import ALL_TOPICS, DLQ_SUFFIX, Topic

__all__ = [
    "ALL_TOPICS",
    "DLQ_SUFFIX",
    "EVENTS",
    "ContractViolation",
    "Envelope",
    "Event",
    "Topic",
    "UnknownEventType",
    "events_on",
    "parse_envelope",
    "resolve",
]
