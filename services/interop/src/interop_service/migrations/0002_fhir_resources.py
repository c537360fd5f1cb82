"""The FHIR read model of rooms, staff, equipment units and blocks.

Revision ID: 0002_fhir_resources
Revises: 0001
Create Date: 2026-12-03
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_fhir_resources"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UUID = postgresql.UUID(as_uuid=True)
_AT = sa.DateTime(timezone=True)


def _snapshot_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("retired_at", _AT, nullable=True),
        sa.Column("snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("received_at", _AT, server_default=sa.func.now(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "fhir_rooms",
        sa.Column("room_id", _UUID, primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        *_snapshot_columns(),
    )
    op.create_index("ix_fhir_rooms_name", "fhir_rooms", [sa.text("lower(name)")])
    op.create_table(
        "fhir_staff",
        sa.Column("staff_id", _UUID, primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("role_id", _UUID, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_snapshot_columns(),
    )
    op.create_index("ix_fhir_staff_name", "fhir_staff", [sa.text("lower(name)")])
    op.create_index("ix_fhir_staff_role_id", "fhir_staff", ["role_id"])
    op.create_table(
        "fhir_equipment",
        sa.Column("equipment_id", _UUID, primary_key=True),
        sa.Column("equipment_type", sa.Text(), nullable=False),
        *_snapshot_columns(),
    )
    op.create_table(
        "fhir_units",
        sa.Column("unit_id", _UUID, primary_key=True),
        sa.Column(
            "equipment_id",
            _UUID,
            sa.ForeignKey("fhir_equipment.equipment_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("equipment_type", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("room_id", _UUID, nullable=True),
    )
    op.create_index("ix_fhir_units_equipment", "fhir_units", ["equipment_id"])
    op.create_index("ix_fhir_units_type", "fhir_units", ["equipment_type"])
    op.create_table(
        "fhir_blocks",
        sa.Column("block_id", _UUID, primary_key=True),
        sa.Column("room_id", _UUID, nullable=False),
        *_snapshot_columns(),
    )
    op.create_index("ix_fhir_blocks_room", "fhir_blocks", ["room_id"])


def downgrade() -> None:
    op.drop_table("fhir_blocks")
    op.drop_table("fhir_units")
    op.drop_table("fhir_equipment")
    op.drop_table("fhir_staff")
    op.drop_table("fhir_rooms")
