"""The FHIR read model's tables of rooms, staff, equipment units and blocks, fed only by the
resources topics (`fhir/resources_projection.py`).

Each row keeps the latest snapshot of its entity whole (`snapshot`, the event's data) with its
`version`, so an older snapshot redelivered or replayed after a newer one changes nothing, and
the columns the FHIR searches filter on. Retired entities stay (`retired_at`): FHIR shows them
inactive. Equipment units have a row each, replaced with every snapshot of their equipment.
"""

from typing import Any

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, Table, Text, func
from sqlalchemy.dialects.postgresql import JSONB, UUID

from interop_service.db.tables import metadata


def _snapshot_columns() -> list[Column[Any]]:
    return [
        Column("version", Integer, nullable=False),
        Column("retired_at", DateTime(timezone=True)),
        Column("snapshot", JSONB, nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


fhir_rooms = Table(
    "fhir_rooms",
    metadata,
    Column("room_id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False),
    # Location.status: active, suspended (maintenance) or inactive (retired).
    Column("status", Text, nullable=False),
    *_snapshot_columns(),
)
Index("ix_fhir_rooms_name", func.lower(fhir_rooms.c.name))

fhir_staff = Table(
    "fhir_staff",
    metadata,
    Column("staff_id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    # The id of the member's PractitionerRole (`practitioner_role_id`), for PractitionerRole?_id.
    Column("role_id", UUID(as_uuid=True), nullable=False),
    Column("active", Boolean, nullable=False),
    *_snapshot_columns(),
)
Index("ix_fhir_staff_name", func.lower(fhir_staff.c.name))
Index("ix_fhir_staff_role_id", fhir_staff.c.role_id)

fhir_equipment = Table(
    "fhir_equipment",
    metadata,
    Column("equipment_id", UUID(as_uuid=True), primary_key=True),
    Column("equipment_type", Text, nullable=False),
    *_snapshot_columns(),
)

# One row per unit of the latest equipment snapshot: a FHIR Device each.
fhir_units = Table(
    "fhir_units",
    metadata,
    Column("unit_id", UUID(as_uuid=True), primary_key=True),
    Column(
        "equipment_id",
        UUID(as_uuid=True),
        ForeignKey("fhir_equipment.equipment_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("equipment_type", Text, nullable=False),
    # Device.status: active or inactive (in maintenance, retired, or its equipment retired).
    Column("status", Text, nullable=False),
    Column("room_id", UUID(as_uuid=True)),
)
Index("ix_fhir_units_equipment", fhir_units.c.equipment_id)
Index("ix_fhir_units_type", fhir_units.c.equipment_type)

fhir_blocks = Table(
    "fhir_blocks",
    metadata,
    Column("block_id", UUID(as_uuid=True), primary_key=True),
    Column("room_id", UUID(as_uuid=True), nullable=False),
    *_snapshot_columns(),
)
Index("ix_fhir_blocks_room", fhir_blocks.c.room_id)
