"""Equipment and its units: what a client sends and what it reads back."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from contracts.events.resources_equipment import Label, UnitStatus
from contracts.values import Minutes, Name
from contracts.vocabulary import EquipmentType
from pydantic import BaseModel, ConfigDict, Field

from resources_service import commands
from resources_service.api.schemas.common import Record, WindowCreate, WindowPublic
from resources_service.domain.equipment_rules import MAX_UNITS

ROOM = (
    "The operating room the unit is installed in: required for every unit of fixed equipment, "
    "absent for mobile equipment."
)


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Label = Field(description="Unique within the equipment's units in service.")
    serial_number: Label | None = Field(default=None, description="Unique over all units.")
    fixed_room_id: uuid.UUID | None = Field(default=None, description=ROOM)

    def command(self) -> commands.NewUnit:
        return commands.NewUnit(self.label, self.serial_number, self.fixed_room_id)


class UnitUpdate(UnitCreate):
    """The whole editable state of a unit; it retires through its own path."""

    status: Literal["available", "in_maintenance"] = "available"

    def command(self) -> commands.UnitState:
        return commands.UnitState(self.label, self.serial_number, self.fixed_room_id, self.status)


class EquipmentFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    equipment_type: EquipmentType
    mobile: bool = Field(strict=True, description="Whether units move between rooms.")
    turnaround_minutes: Minutes = Field(
        default=0,
        strict=True,  # a number, not `false` read as 0
        description="Reprocessing time a unit needs between two cases.",
    )


class EquipmentCreate(EquipmentFields):
    units: list[UnitCreate] = Field(
        default=[], max_length=MAX_UNITS, description="In the order they are listed."
    )

    def command(self) -> commands.NewEquipment:
        return commands.NewEquipment(
            name=self.name,
            equipment_type=self.equipment_type,
            mobile=self.mobile,
            turnaround_minutes=self.turnaround_minutes,
            units=tuple(unit.command() for unit in self.units),
        )


class EquipmentUpdate(EquipmentFields):
    """The equipment's own fields; units change through their own paths."""

    unit_rooms: dict[uuid.UUID, uuid.UUID] = Field(
        default={},
        max_length=MAX_UNITS,
        description="Rooms to install units in, by unit id: what mobile equipment that becomes "
        "fixed needs for each unit in service. Units of equipment that becomes mobile leave "
        "their rooms.",
    )

    def command(self) -> commands.EquipmentState:
        return commands.EquipmentState(
            name=self.name,
            equipment_type=self.equipment_type,
            mobile=self.mobile,
            turnaround_minutes=self.turnaround_minutes,
            unit_rooms=self.unit_rooms,
        )


class MaintenanceCreate(WindowCreate):
    """A dated span the unit is out for maintenance."""

    def command(self) -> commands.Maintenance:
        return commands.Maintenance(start=self.start, end=self.end, note=self.note)


class UnitSummary(BaseModel):
    unit_id: uuid.UUID
    label: str
    serial_number: str | None
    status: UnitStatus
    fixed_room_id: uuid.UUID | None
    created_at: datetime
    retired_at: datetime | None


class UnitPublic(UnitSummary):
    maintenance_windows: list[WindowPublic]


class EquipmentRecord(Record):
    equipment_id: uuid.UUID
    name: str
    equipment_type: str
    mobile: bool
    turnaround_minutes: int


class EquipmentSummary(EquipmentRecord):
    """Equipment in a list: its units without their maintenance windows."""

    units: list[UnitSummary] = Field(description="In the order they were added, retired too.")

    @classmethod
    def of(cls, row: Any, units: list[Any]) -> EquipmentSummary:
        return cls.model_validate({**row._mapping, "units": [u._mapping for u in units]})


class EquipmentPublic(EquipmentRecord):
    units: list[UnitPublic] = Field(description="In the order they were added, retired too.")

    @classmethod
    def of(
        cls, row: Any, units: list[Any], maintenance: dict[uuid.UUID, list[Any]]
    ) -> EquipmentPublic:
        return cls.model_validate(
            {
                **row._mapping,
                "units": [
                    {
                        **u._mapping,
                        "maintenance_windows": [
                            WindowPublic.of(w, "window_id") for w in maintenance.get(u.unit_id, [])
                        ],
                    }
                    for u in units
                ],
            }
        )
