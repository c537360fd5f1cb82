"""Stable, readable ids for the examples, so the generated documents never change by accident."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

_NAMESPACE = uuid.UUID("6f1d3c2e-5b7a-4c1e-9a0d-2f8e4b6c7d10")


def example_id(name: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, name)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in December 2026, UTC."""
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


ROOM = example_id("room OR-1")
SURGEON = example_id("staff Dr Grey")
ANAESTHETIST = example_id("staff Dr Shepherd")
SCRUB_NURSE = example_id("staff Nurse Olivia")
C_ARM = example_id("equipment C-arm")
C_ARM_UNIT = example_id("equipment unit C-arm 1")
BLOCK = example_id("block ortho Monday")
COORDINATOR = example_id("user coordinator")
SURGERY = example_id("surgery 1")
REQUEST = example_id("optimization request 1")
RUN = example_id("optimization run 1")
