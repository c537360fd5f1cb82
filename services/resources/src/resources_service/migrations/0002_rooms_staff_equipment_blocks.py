"""Rooms, staff, equipment and its units, blocks and their releases, with their dated windows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

CLOCK = "~ '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$'"

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Exclusion constraints over (record id, time range) need btree_gist.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "equipment",
        sa.Column("equipment_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("equipment_type", sa.Text(), nullable=False),
        sa.Column("mobile", sa.Boolean(), nullable=False),
        sa.Column("turnaround_minutes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("turnaround_minutes BETWEEN 0 AND 1440", name="ck_equipment_turnaround"),
        sa.PrimaryKeyConstraint("equipment_id"),
    )
    op.create_index("ix_equipment_type", "equipment", ["equipment_type"], unique=False)
    op.create_table(
        "operating_rooms",
        sa.Column("room_id", sa.UUID(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("capabilities", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("status", sa.Text(), server_default="active", nullable=False),
        sa.Column("weekly_hours", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('active', 'maintenance', 'retired')", name="ck_room_status"),
        sa.PrimaryKeyConstraint("room_id"),
    )
    op.create_index(
        "ix_operating_rooms_capabilities",
        "operating_rooms",
        ["capabilities"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "uq_operating_rooms_code",
        "operating_rooms",
        [sa.literal_column("lower(code)")],
        unique=True,
        postgresql_where=sa.text("retired_at IS NULL"),
    )
    op.create_table(
        "staff_members",
        sa.Column("staff_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("specialties", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("skills", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("working_pattern", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("max_minutes_per_day", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.Text(), server_default="active", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('active', 'inactive')", name="ck_staff_status"),
        sa.CheckConstraint(
            "max_minutes_per_day IS NULL OR max_minutes_per_day BETWEEN 1 AND 1440",
            name="ck_staff_max_minutes",
        ),
        sa.PrimaryKeyConstraint("staff_id"),
    )
    op.create_index("ix_staff_members_role", "staff_members", ["role"], unique=False)
    op.create_index(
        "ix_staff_members_specialties",
        "staff_members",
        ["specialties"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "uq_staff_members_user",
        "staff_members",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("retired_at IS NULL AND user_id IS NOT NULL"),
    )
    op.create_table(
        "blocks",
        sa.Column("block_id", sa.UUID(), nullable=False),
        sa.Column("room_id", sa.UUID(), nullable=False),
        sa.Column("surgeon_id", sa.UUID(), nullable=True),
        sa.Column("service", sa.Text(), nullable=True),
        sa.Column("recurrence", sa.Text(), nullable=False),
        sa.Column("weekdays", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("start_time", sa.Text(), nullable=False),
        sa.Column("end_time", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "recurrence = 'weekly' OR (valid_to = valid_from AND cardinality(weekdays) = 0)",
            name="ck_block_single_date",
        ),
        sa.CheckConstraint("recurrence IN ('weekly', 'date')", name="ck_block_recurrence"),
        sa.CheckConstraint(
            f"start_time {CLOCK} AND end_time {CLOCK}",
            name="ck_block_clock",
        ),
        sa.CheckConstraint("(surgeon_id IS NULL) <> (service IS NULL)", name="ck_block_owner"),
        sa.CheckConstraint("end_time > start_time", name="ck_block_end_after_start"),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="ck_block_validity"),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["operating_rooms.room_id"],
        ),
        sa.ForeignKeyConstraint(
            ["surgeon_id"],
            ["staff_members.staff_id"],
        ),
        sa.PrimaryKeyConstraint("block_id"),
    )
    op.create_index("ix_blocks_room", "blocks", ["room_id"], unique=False)
    op.create_index("ix_blocks_surgeon", "blocks", ["surgeon_id"], unique=False)
    op.create_table(
        "equipment_units",
        sa.Column("unit_id", sa.UUID(), nullable=False),
        sa.Column("equipment_id", sa.UUID(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("serial_number", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), server_default="available", nullable=False),
        sa.Column("fixed_room_id", sa.UUID(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'retired') = (retired_at IS NOT NULL)", name="ck_equipment_unit_retired"
        ),
        sa.CheckConstraint(
            "status IN ('available', 'in_maintenance', 'retired')", name="ck_equipment_unit_status"
        ),
        sa.ForeignKeyConstraint(
            ["equipment_id"],
            ["equipment.equipment_id"],
        ),
        sa.ForeignKeyConstraint(
            ["fixed_room_id"],
            ["operating_rooms.room_id"],
        ),
        sa.PrimaryKeyConstraint("unit_id"),
    )
    op.create_index(
        "ix_equipment_units_equipment", "equipment_units", ["equipment_id"], unique=False
    )
    op.create_index(
        "uq_equipment_units_label",
        "equipment_units",
        ["equipment_id", sa.literal_column("lower(label)")],
        unique=True,
        postgresql_where=sa.text("retired_at IS NULL"),
    )
    op.create_index(
        "uq_equipment_units_serial",
        "equipment_units",
        [sa.literal_column("lower(serial_number)")],
        unique=True,
        postgresql_where=sa.text("serial_number IS NOT NULL"),
    )
    op.create_table(
        "room_exceptions",
        sa.Column("exception_id", sa.UUID(), nullable=False),
        sa.Column("room_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("period", postgresql.TSTZRANGE(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        postgresql.ExcludeConstraint(
            (sa.column("room_id"), "="),
            (sa.column("period"), "&&"),
            using="gist",
            name="ex_room_exceptions_no_overlap",
        ),
        sa.CheckConstraint(
            "kind IN ('closure', 'extended_hours', 'maintenance')", name="ck_room_exception_kind"
        ),
        sa.CheckConstraint("NOT isempty(period)", name="ck_room_exception_not_empty"),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["operating_rooms.room_id"],
        ),
        sa.PrimaryKeyConstraint("exception_id"),
    )
    op.create_table(
        "staff_absences",
        sa.Column("absence_id", sa.UUID(), nullable=False),
        sa.Column("staff_id", sa.UUID(), nullable=False),
        sa.Column("period", postgresql.TSTZRANGE(), nullable=False),
        postgresql.ExcludeConstraint(
            (sa.column("staff_id"), "="),
            (sa.column("period"), "&&"),
            using="gist",
            name="ex_staff_absences_no_overlap",
        ),
        sa.CheckConstraint("NOT isempty(period)", name="ck_staff_absence_not_empty"),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_members.staff_id"],
        ),
        sa.PrimaryKeyConstraint("absence_id"),
    )
    op.create_table(
        "block_releases",
        sa.Column("block_id", sa.UUID(), nullable=False),
        sa.Column("occurrence_date", sa.Date(), nullable=False),
        sa.Column("released_by", sa.UUID(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["block_id"],
            ["blocks.block_id"],
        ),
        sa.PrimaryKeyConstraint("block_id", "occurrence_date"),
    )
    op.create_table(
        "unit_maintenance",
        sa.Column("window_id", sa.UUID(), nullable=False),
        sa.Column("unit_id", sa.UUID(), nullable=False),
        sa.Column("period", postgresql.TSTZRANGE(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        postgresql.ExcludeConstraint(
            (sa.column("unit_id"), "="),
            (sa.column("period"), "&&"),
            using="gist",
            name="ex_unit_maintenance_no_overlap",
        ),
        sa.CheckConstraint("NOT isempty(period)", name="ck_unit_maintenance_not_empty"),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["equipment_units.unit_id"],
        ),
        sa.PrimaryKeyConstraint("window_id"),
    )


def downgrade() -> None:
    op.drop_table("unit_maintenance")
    op.drop_table("block_releases")
    op.drop_table("staff_absences")
    op.drop_table("room_exceptions")
    op.drop_index(
        "uq_equipment_units_serial",
        table_name="equipment_units",
        postgresql_where=sa.text("serial_number IS NOT NULL"),
    )
    op.drop_index(
        "uq_equipment_units_label",
        table_name="equipment_units",
        postgresql_where=sa.text("retired_at IS NULL"),
    )
    op.drop_index("ix_equipment_units_equipment", table_name="equipment_units")
    op.drop_table("equipment_units")
    op.drop_index("ix_blocks_surgeon", table_name="blocks")
    op.drop_index("ix_blocks_room", table_name="blocks")
    op.drop_table("blocks")
    op.drop_index(
        "uq_staff_members_user",
        table_name="staff_members",
        postgresql_where=sa.text("retired_at IS NULL AND user_id IS NOT NULL"),
    )
    op.drop_index(
        "ix_staff_members_specialties", table_name="staff_members", postgresql_using="gin"
    )
    op.drop_index("ix_staff_members_role", table_name="staff_members")
    op.drop_table("staff_members")
    op.drop_index(
        "uq_operating_rooms_code",
        table_name="operating_rooms",
        postgresql_where=sa.text("retired_at IS NULL"),
    )
    op.drop_index(
        "ix_operating_rooms_capabilities", table_name="operating_rooms", postgresql_using="gin"
    )
    op.drop_table("operating_rooms")
    op.drop_index("ix_equipment_type", table_name="equipment")
    op.drop_table("equipment")
