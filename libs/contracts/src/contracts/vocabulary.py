"""The hospital's words that several topics share: staff roles, priorities, capabilities."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field

from contracts.values import Term, Value


class StaffRole(StrEnum):
    SURGEON = "surgeon"
    ANAESTHETIST = "anaesthetist"
    SCRUB_NURSE = "scrub_nurse"
    CIRCULATING_NURSE = "circulating_nurse"
    PERFUSIONIST = "perfusionist"
    TECHNICIAN = "technician"


class SurgeryPriority(StrEnum):
    ELECTIVE = "elective"
    URGENT = "urgent"
    EMERGENCY = "emergency"


KNOWN_CAPABILITIES: tuple[str, ...] = (
    "cardiac",
    "general",
    "hybrid",
    "laminar_flow",
    "neuro",
    "orthopaedic",
    "paediatric",
    "robotic",
    "transplant",
    "vascular",
)

Capability = Annotated[
    Term,
    Field(
        description="What a room is equipped for; an open set, these are the known terms: "
        + ", ".join(KNOWN_CAPABILITIES)
        + ".",
        examples=list(KNOWN_CAPABILITIES[:3]),
    ),
]
EquipmentType = Annotated[
    Term,
    Field(
        description="The kind of equipment a case needs and a unit is.",
        examples=["c_arm", "surgical_robot"],
    ),
]
Specialty = Annotated[
    Term,
    Field(description="A surgical specialty or service.", examples=["orthopaedics", "cardiac"]),
]


class StaffRequirement(Value):
    """How many people of one role a case needs besides its named surgeon."""

    role: StaffRole
    count: int = Field(default=1, ge=1, le=10)


def _one_per_role(requirements: tuple[StaffRequirement, ...]) -> tuple[StaffRequirement, ...]:
    roles = [r.role for r in requirements]
    repeated = sorted({r for r in roles if roles.count(r) > 1})
    if repeated:
        raise ValueError(f"role {', '.join(repeated)} is listed more than once; use count")
    return tuple(sorted(requirements, key=lambda r: list(StaffRole).index(r.role)))


StaffRequirements = Annotated[
    tuple[StaffRequirement, ...], Field(max_length=len(StaffRole)), AfterValidator(_one_per_role)
]
