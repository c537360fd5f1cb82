"""The resources service's tables.

Anything a booking may reference (rooms, staff, equipment units) is retired, never deleted:
`retired_at` marks it. Each entity's `version` increases with every change of it or of its
dated children, and is its ETag. Dated children (exceptions, absences, maintenance windows) are
UTC ranges that PostgreSQL keeps from overlapping within their parent.
"""

from typing import Any

from servicekit.user_access import revoked_sessions_table, user_access_table
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSTZRANGE, UUID, ExcludeConstraint

metadata = MetaData()

user_access = user_access_table(metadata)
revoked_sessions = revoked_sessions_table(metadata)


def _timestamps() -> list[Column[Any]]:
    return [
        Column("version", Integer, nullable=False, server_default="1"),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("retired_at", DateTime(timezone=True)),
    ]


def _no_overlap(parent: str, name: str) -> ExcludeConstraint:
    return ExcludeConstraint((parent, "="), ("period", "&&"), using="gist", name=name)


CLOCK = "~ '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$'"

operating_rooms = Table(
    "operating_rooms",
    metadata,
    Column("room_id", UUID(as_uuid=True), primary_key=True),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("location", Text),
    Column("capabilities", ARRAY(Text), nullable=False, server_default="{}"),
    Column("status", Text, nullable=False, server_default="active"),
    Column("weekly_hours", JSONB, nullable=False),
    *_timestamps(),
    CheckConstraint("status IN ('active', 'maintenance', 'retired')", name="ck_room_status"),
)
# A code names one room in service at a time; a retired room's code may be given again.
Index(
    "uq_operating_rooms_code",
    func.lower(operating_rooms.c.code),
    unique=True,
    postgresql_where=text("retired_at IS NULL"),
)
Index("ix_operating_rooms_capabilities", operating_rooms.c.capabilities, postgresql_using="gin")

room_exceptions = Table(
    "room_exceptions",
    metadata,
    Column("exception_id", UUID(as_uuid=True), primary_key=True),
    Column("room_id", UUID(as_uuid=True), ForeignKey("operating_rooms.room_id"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("period", TSTZRANGE, nullable=False),
    Column("note", Text),
    CheckConstraint(
        "kind IN ('closure', 'extended_hours', 'maintenance')", name="ck_room_exception_kind"
    ),
    CheckConstraint("NOT isempty(period)", name="ck_room_exception_not_empty"),
    _no_overlap("room_id", "ex_room_exceptions_no_overlap"),
)

staff_members = Table(
    "staff_members",
    metadata,
    Column("staff_id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("specialties", ARRAY(Text), nullable=False, server_default="{}"),
    Column("skills", ARRAY(Text), nullable=False, server_default="{}"),
    Column("working_pattern", JSONB, nullable=False),
    Column("max_minutes_per_day", Integer),
    # {"friday": 240} and {"2027-03-05": 120}: part days and on-call days (validated by the API).
    Column("max_minutes_by_weekday", JSONB, nullable=False, server_default="{}"),
    Column("max_minutes_by_date", JSONB, nullable=False, server_default="{}"),
    Column("user_id", UUID(as_uuid=True)),
    Column("status", Text, nullable=False, server_default="active"),
    *_timestamps(),
    CheckConstraint("status IN ('active', 'inactive')", name="ck_staff_status"),
    CheckConstraint(
        "max_minutes_per_day IS NULL OR max_minutes_per_day BETWEEN 1 AND 1440",
        name="ck_staff_max_minutes",
    ),
)
# One user account is one person: at most one staff member in service links to it.
Index(
    "uq_staff_members_user",
    staff_members.c.user_id,
    unique=True,
    postgresql_where=text("retired_at IS NULL AND user_id IS NOT NULL"),
)
Index("ix_staff_members_role", staff_members.c.role)
Index("ix_staff_members_specialties", staff_members.c.specialties, postgresql_using="gin")

staff_absences = Table(
    "staff_absences",
    metadata,
    Column("absence_id", UUID(as_uuid=True), primary_key=True),
    Column("staff_id", UUID(as_uuid=True), ForeignKey("staff_members.staff_id"), nullable=False),
    Column("period", TSTZRANGE, nullable=False),
    CheckConstraint("NOT isempty(period)", name="ck_staff_absence_not_empty"),
    _no_overlap("staff_id", "ex_staff_absences_no_overlap"),
)

equipment = Table(
    "equipment",
    metadata,
    Column("equipment_id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False),
    Column("equipment_type", Text, nullable=False),
    Column("mobile", Boolean, nullable=False),
    Column("turnaround_minutes", Integer, nullable=False, server_default="0"),
    *_timestamps(),
    CheckConstraint("turnaround_minutes BETWEEN 0 AND 1440", name="ck_equipment_turnaround"),
)
Index("ix_equipment_type", equipment.c.equipment_type)

equipment_units = Table(
    "equipment_units",
    metadata,
    Column("unit_id", UUID(as_uuid=True), primary_key=True),
    Column(
        "equipment_id", UUID(as_uuid=True), ForeignKey("equipment.equipment_id"), nullable=False
    ),
    Column("label", Text, nullable=False),
    Column("serial_number", Text),
    Column("status", Text, nullable=False, server_default="available"),
    Column("fixed_room_id", UUID(as_uuid=True), ForeignKey("operating_rooms.room_id")),
    Column("position", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("retired_at", DateTime(timezone=True)),
    CheckConstraint(
        "status IN ('available', 'in_maintenance', 'retired')", name="ck_equipment_unit_status"
    ),
    CheckConstraint(
        "(status = 'retired') = (retired_at IS NOT NULL)", name="ck_equipment_unit_retired"
    ),
)
Index("ix_equipment_units_equipment", equipment_units.c.equipment_id)
Index(
    "uq_equipment_units_label",
    equipment_units.c.equipment_id,
    func.lower(equipment_units.c.label),
    unique=True,
    postgresql_where=text("retired_at IS NULL"),
)
Index(
    "uq_equipment_units_serial",
    func.lower(equipment_units.c.serial_number),
    unique=True,
    postgresql_where=text("serial_number IS NOT NULL"),
)

unit_maintenance = Table(
    "unit_maintenance",
    metadata,
    Column("window_id", UUID(as_uuid=True), primary_key=True),
    Column("unit_id", UUID(as_uuid=True), ForeignKey("equipment_units.unit_id"), nullable=False),
    Column("period", TSTZRANGE, nullable=False),
    Column("note", Text),
    CheckConstraint("NOT isempty(period)", name="ck_unit_maintenance_not_empty"),
    _no_overlap("unit_id", "ex_unit_maintenance_no_overlap"),
)

blocks = Table(
    "blocks",
    metadata,
    Column("block_id", UUID(as_uuid=True), primary_key=True),
    Column("room_id", UUID(as_uuid=True), ForeignKey("operating_rooms.room_id"), nullable=False),
    Column("surgeon_id", UUID(as_uuid=True), ForeignKey("staff_members.staff_id")),
    Column("service", Text),
    # A weekly block has weekdays and a validity; a single-date block has valid_from = valid_to.
    Column("recurrence", Text, nullable=False),
    Column("weekdays", ARRAY(Text), nullable=False, server_default="{}"),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("start_time", Text, nullable=False),
    Column("end_time", Text, nullable=False),
    *_timestamps(),
    CheckConstraint("(surgeon_id IS NULL) <> (service IS NULL)", name="ck_block_owner"),
    CheckConstraint("recurrence IN ('weekly', 'date')", name="ck_block_recurrence"),
    CheckConstraint(
        "recurrence = 'weekly' OR (valid_to = valid_from AND cardinality(weekdays) = 0)",
        name="ck_block_single_date",
    ),
    CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="ck_block_validity"),
    CheckConstraint(f"start_time {CLOCK} AND end_time {CLOCK}", name="ck_block_clock"),
    CheckConstraint("end_time > start_time", name="ck_block_end_after_start"),
)
Index("ix_blocks_room", blocks.c.room_id)
Index("ix_blocks_surgeon", blocks.c.surgeon_id)

block_releases = Table(
    "block_releases",
    metadata,
    Column("block_id", UUID(as_uuid=True), ForeignKey("blocks.block_id"), nullable=False),
    Column("occurrence_date", Date, nullable=False),
    Column("released_by", UUID(as_uuid=True), nullable=False),
    Column("released_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text),
    PrimaryKeyConstraint("block_id", "occurrence_date"),
)
