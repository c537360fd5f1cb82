"""Events of `resources.equipment.v1`: full snapshots of equipment and its units.

The topic is compacted by entity id, so the last message of an entity must describe it whole:
on retirement the resources service publishes `EquipmentRetired` and then the final snapshot, with
`retired_at` set, in the same transaction.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from contracts.envelope import Event
from contracts.topics import RESOURCES_EQUIPMENT
from contracts.values import Minutes, Name, Storable, TimeWindow, Value, Version, repeated_ids
from contracts.vocabulary import EquipmentType

Label = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), Storable
]


class UnitStatus(StrEnum):
    AVAILABLE = "available"
    IN_MAINTENANCE = "in_maintenance"
    RETIRED = "retired"


class EquipmentUnit(Value):
    """One physical, bookable item of a piece of equipment."""

    unit_id: uuid.UUID
    label: Label
    serial_number: Label | None = None
    status: UnitStatus = UnitStatus.AVAILABLE
    fixed_room_id: uuid.UUID | None = Field(
        default=None, description="The room the unit is installed in, if it cannot move."
    )
    maintenance_windows: tuple[TimeWindow, ...] = Field(default=(), max_length=1000)


class EquipmentUpserted(Event):
    """The whole current state of a piece of equipment and all its units."""

    topic = RESOURCES_EQUIPMENT
    key_field = "equipment_id"

    equipment_id: uuid.UUID
    name: Name
    equipment_type: EquipmentType
    units: tuple[EquipmentUnit, ...] = Field(default=(), max_length=500)
    mobile: bool = Field(description="Whether units move between rooms.")
    turnaround_minutes: Minutes = Field(
        default=0, description="Reprocessing time a unit needs between two cases."
    )
    version: Version
    retired_at: AwareDatetime | None = Field(
        default=None,
        description="Set once the equipment is retired; the snapshot stays as its last word on a "
        "compacted topic.",
    )

    @model_validator(mode="after")
    def _units_unique(self) -> Self:
        if problems := repeated_ids([u.unit_id for u in self.units], "unit"):
            raise ValueError("; ".join(problems))
        return self


class EquipmentRetired(Event):
    """The equipment and all its units are out of service for good."""

    topic = RESOURCES_EQUIPMENT
    key_field = "equipment_id"

    equipment_id: uuid.UUID
    retired_at: AwareDatetime
    version: Version


EVENTS: tuple[type[Event], ...] = (EquipmentUpserted, EquipmentRetired)
