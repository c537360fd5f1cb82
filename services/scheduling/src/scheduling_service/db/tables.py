"""The scheduling service's tables: its own records, and its read model of resources.

What must never happen is refused by PostgreSQL itself: a room, a staff member or an equipment
unit is never held by two bookings at once (`btree_gist` exclusion constraints over UTC
`tstzrange`s), so two concurrent bookings can never both win, whatever the code checked first.
A booking exists only while its case is booked; cancelling or postponing deletes it (its
assignments and usages go with it) and `case_history` keeps what it was.
"""

from typing import Any

from servicekit.user_access import revoked_sessions_table, user_access_table
from sqlalchemy import (
    DDL,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    event,
    func,
    literal_column,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSTZRANGE, UUID, ExcludeConstraint, array

metadata = MetaData()

user_access = user_access_table(metadata)
revoked_sessions = revoked_sessions_table(metadata)

STATUSES = "'requested', 'scheduled', 'confirmed', 'in_room', 'completed', 'cancelled', 'postponed'"


def _snapshot_columns() -> list[Column[Any]]:
    """What every read-model row keeps: the snapshot's version (to ignore older ones) and all
    of it (`snapshot`, the event's `data`), so nothing the contract carries is lost."""
    return [
        Column("version", Integer, nullable=False),
        Column("retired_at", DateTime(timezone=True)),
        Column("snapshot", JSONB, nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


# --- The read model of resources: the latest snapshot per entity, fed by the resources topics.

rooms = Table(
    "rooms",
    metadata,
    Column("room_id", UUID(as_uuid=True), primary_key=True),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("capabilities", ARRAY(Text), nullable=False),
    *_snapshot_columns(),
)

staff = Table(
    "staff",
    metadata,
    Column("staff_id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("specialties", ARRAY(Text), nullable=False),
    Column("status", Text, nullable=False),
    Column("user_id", UUID(as_uuid=True)),
    Column("max_minutes_per_day", Integer),
    *_snapshot_columns(),
)
Index("ix_staff_user", staff.c.user_id)

equipment = Table(
    "equipment",
    metadata,
    Column("equipment_id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False),
    Column("equipment_type", Text, nullable=False),
    Column("mobile", Boolean, nullable=False),
    Column("turnaround_minutes", Integer, nullable=False),
    *_snapshot_columns(),
)

# One row per unit of the latest equipment snapshot, replaced whole with each snapshot.
equipment_units = Table(
    "equipment_units",
    metadata,
    Column("unit_id", UUID(as_uuid=True), primary_key=True),
    Column(
        "equipment_id",
        UUID(as_uuid=True),
        ForeignKey("equipment.equipment_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("equipment_type", Text, nullable=False),
    Column("label", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("fixed_room_id", UUID(as_uuid=True)),
    Column("turnaround_minutes", Integer, nullable=False),
    Column("retired_at", DateTime(timezone=True)),
)
Index("ix_equipment_units_equipment", equipment_units.c.equipment_id)

blocks = Table(
    "blocks",
    metadata,
    Column("block_id", UUID(as_uuid=True), primary_key=True),
    Column("room_id", UUID(as_uuid=True), nullable=False),
    Column("surgeon_id", UUID(as_uuid=True)),
    Column("service", Text),
    *_snapshot_columns(),
)
Index("ix_blocks_room", blocks.c.room_id)

# --- The scheduling service's own records.

surgery_requests = Table(
    "surgery_requests",
    metadata,
    Column("surgery_id", UUID(as_uuid=True), primary_key=True),
    Column("patient_mrn", Text, nullable=False),
    Column("procedure_code", Text, nullable=False),
    Column("procedure_name", Text, nullable=False),
    Column("procedure_coding_system", Text),
    Column("surgeon_id", UUID(as_uuid=True), nullable=False),
    Column("specialty", Text, nullable=False),
    Column("expected_duration_minutes", Integer, nullable=False),
    Column("setup_minutes", Integer, nullable=False, server_default="0"),
    Column("cleanup_minutes", Integer, nullable=False, server_default="0"),
    Column("priority", Text, nullable=False),
    Column("earliest_date", Date),
    Column("due_date", Date),
    Column("required_capabilities", ARRAY(Text), nullable=False, server_default="{}"),
    Column("equipment_types", ARRAY(Text), nullable=False, server_default="{}"),
    Column("anaesthesia_type", Text, nullable=False),
    # [{"role": "anaesthetist", "count": 1}, ...]: the people needed besides the surgeon.
    Column("staff_roles_needed", JSONB, nullable=False, server_default="[]"),
    Column("notes", Text),
    Column("status", Text, nullable=False, server_default="requested"),
    # Why it was last cancelled or postponed.
    Column("reason_code", Text),
    Column("reason", Text),
    Column("wheels_in", DateTime(timezone=True)),
    Column("wheels_out", DateTime(timezone=True)),
    Column("requested_by", UUID(as_uuid=True), nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(f"status IN ({STATUSES})", name="ck_surgery_status"),
    CheckConstraint("priority IN ('elective', 'urgent', 'emergency')", name="ck_surgery_priority"),
    CheckConstraint(
        "anaesthesia_type IN ('general', 'regional', 'local', 'sedation')",
        name="ck_surgery_anaesthesia",
    ),
    CheckConstraint("expected_duration_minutes > 0", name="ck_surgery_duration"),
    CheckConstraint("setup_minutes >= 0 AND cleanup_minutes >= 0", name="ck_surgery_setup_cleanup"),
    CheckConstraint(
        "due_date IS NULL OR earliest_date IS NULL OR due_date >= earliest_date",
        name="ck_surgery_due_after_earliest",
    ),
    CheckConstraint(
        "wheels_out IS NULL OR (wheels_in IS NOT NULL AND wheels_out > wheels_in)",
        name="ck_surgery_wheels",
    ),
)
Index("ix_surgery_requests_status", surgery_requests.c.status)
Index("ix_surgery_requests_surgeon", surgery_requests.c.surgeon_id)
Index("ix_surgery_requests_due", surgery_requests.c.due_date)

# The waiting list's rank of a priority (`domain/waiting_list.py`: the lower, the sooner), in
# literals: only an ORDER BY written exactly as an index's expression is read from that index.
# `array_position`, not CASE: PostgreSQL gives a CASE back on many lines, which alembic's
# comparison of an index's expression with this one never matches.
PRIORITY_ORDER = ("emergency", "urgent", "elective")  # ranked 1, 2, 3
priority_rank = func.array_position(
    array([literal_column(f"'{p}'") for p in PRIORITY_ORDER]), surgery_requests.c.priority
)
# The list's default order (priority, then due date, undated last, then oldest first): a page
# of it is read from here, not sorted out of every case.
Index(
    "ix_surgery_requests_priority_order",
    priority_rank,
    surgery_requests.c.due_date,
    surgery_requests.c.created_at,
    surgery_requests.c.surgery_id,
)

# The current booking of a case: `starts_at`-`ends_at` is the surgery (wheels in to wheels
# out); `room_period` adds setup before and cleanup after, and is what the room is held for.
bookings = Table(
    "bookings",
    metadata,
    Column(
        "surgery_id",
        UUID(as_uuid=True),
        ForeignKey("surgery_requests.surgery_id"),
        primary_key=True,
    ),
    Column("room_id", UUID(as_uuid=True), nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("setup_minutes", Integer, nullable=False),
    Column("cleanup_minutes", Integer, nullable=False),
    Column("room_period", TSTZRANGE, nullable=False),
    Column("booked_by", UUID(as_uuid=True)),
    Column("run_id", UUID(as_uuid=True)),
    Column("booked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("starts_at < ends_at", name="ck_booking_order"),
    CheckConstraint(
        "lower(room_period) <= starts_at AND upper(room_period) >= ends_at",
        name="ck_booking_room_period_covers_surgery",
    ),
    ExcludeConstraint(
        ("room_id", "="), ("room_period", "&&"), using="gist", name="ex_bookings_room"
    ),
)
Index("ix_bookings_starts_at", bookings.c.starts_at)

# Who is in the case: the surgeon and everyone else assigned. A person is held for the
# surgery itself (`period` = starts_at-ends_at), the optimizer's rule as well.
staff_assignments = Table(
    "staff_assignments",
    metadata,
    Column(
        "surgery_id",
        UUID(as_uuid=True),
        ForeignKey("bookings.surgery_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("staff_id", UUID(as_uuid=True), nullable=False),
    Column("role", Text, nullable=False),
    Column("period", TSTZRANGE, nullable=False),
    PrimaryKeyConstraint("surgery_id", "staff_id"),
    ExcludeConstraint(
        ("staff_id", "="), ("period", "&&"), using="gist", name="ex_staff_assignments_person"
    ),
)
Index("ix_staff_assignments_staff", staff_assignments.c.staff_id)

# The equipment-usage records: a unit is held from the start of the surgery until its end
# plus the unit's turnaround (reprocessing), the optimizer's rule as well.
equipment_usages = Table(
    "equipment_usages",
    metadata,
    Column(
        "surgery_id",
        UUID(as_uuid=True),
        ForeignKey("bookings.surgery_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("unit_id", UUID(as_uuid=True), nullable=False),
    Column("equipment_type", Text, nullable=False),
    Column("turnaround_minutes", Integer, nullable=False),
    Column("period", TSTZRANGE, nullable=False),
    PrimaryKeyConstraint("surgery_id", "unit_id"),
    ExcludeConstraint(
        ("unit_id", "="), ("period", "&&"), using="gist", name="ex_equipment_usages_unit"
    ),
)

# Every transition of a case, with the booking it had at that moment: KPIs (cancellations of
# booked cases, first-case starts) and the case's history read from here.
case_history = Table(
    "case_history",
    metadata,
    Column("entry_id", BigInteger, Identity(), primary_key=True),
    Column(
        "surgery_id",
        UUID(as_uuid=True),
        ForeignKey("surgery_requests.surgery_id"),
        nullable=False,
    ),
    Column("from_status", Text),
    Column("to_status", Text, nullable=False),
    Column("reason_code", Text),
    Column("reason", Text),
    # {"room_id", "start", "end", "setup_minutes", "cleanup_minutes", "staff", "equipment_unit_ids"}
    Column("booking", JSONB),
    Column("changed_by", UUID(as_uuid=True)),
    Column("run_id", UUID(as_uuid=True)),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
Index("ix_case_history_surgery", case_history.c.surgery_id, case_history.c.entry_id)

# An optimization: the problem sent (`problem`, and each case's `version` then, to tell a stale
# proposal), then the proposal or failure that came back, then what the coordinator decided.
optimizations = Table(
    "optimizations",
    metadata,
    Column("request_id", UUID(as_uuid=True), primary_key=True),
    Column("status", Text, nullable=False, server_default="requested"),
    Column("requested_by", UUID(as_uuid=True)),
    Column("requested_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("horizon_start", Date, nullable=False),
    Column("horizon_end", Date, nullable=False),
    Column("options", JSONB, nullable=False),
    Column("problem", JSONB, nullable=False),
    Column("case_versions", JSONB, nullable=False),
    Column("run_id", UUID(as_uuid=True)),
    Column("plan", JSONB),
    Column("solver", JSONB),
    Column("failure", JSONB),
    Column("answered_at", DateTime(timezone=True)),
    Column("decided_by", UUID(as_uuid=True)),
    Column("decided_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False, server_default="1"),
    CheckConstraint(
        "status IN ('requested', 'proposed', 'failed', 'applied', 'rejected')",
        name="ck_optimization_status",
    ),
)
Index("ix_optimizations_requested_at", optimizations.c.requested_at)

# One row, moved on at commit by every transaction that changes what the day board or the
# waiting list shows: the board polls it to know when to read again. `epoch` keeps revisions
# of a rebuilt database from repeating old ones.
schedule_revision = Table(
    "schedule_revision",
    metadata,
    Column("singleton", Boolean, primary_key=True, server_default="true"),
    Column("epoch", UUID(as_uuid=True), nullable=False, server_default=func.gen_random_uuid()),
    Column("counter", BigInteger, nullable=False, server_default="0"),
    Column("changed_in", BigInteger),
    CheckConstraint("singleton", name="schedule_revision_singleton_check"),
)

# What moves it: the cases, the bookings with their people and units, and the read model of
# resources. Deferred constraint triggers bump it at commit, inside the committing transaction,
# once per transaction (later rows find the row already theirs): the row is locked only for the
# instant of the commit, after every other lock the transaction took, so it never takes part in
# a deadlock; and writes that skip the application (the consumer's bulk upserts, psql) count.
REVISION_WATCHED = (
    "surgery_requests",
    "bookings",
    "staff_assignments",
    "equipment_usages",
    "rooms",
    "staff",
    "equipment",
    "equipment_units",
    "blocks",
)
SCHEDULE_REVISION_DDL = (
    "INSERT INTO schedule_revision DEFAULT VALUES",
    """
    CREATE FUNCTION bump_schedule_revision() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE schedule_revision
           SET counter = counter + 1, changed_in = pg_current_xact_id()::text::bigint
         WHERE changed_in IS DISTINCT FROM pg_current_xact_id()::text::bigint;
        RETURN NULL;
    END
    $$
    """,
    *(
        f"CREATE CONSTRAINT TRIGGER {table}_bump_schedule_revision "
        f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_schedule_revision()"
        for table in REVISION_WATCHED
    ),
)
for _statement in SCHEDULE_REVISION_DDL:
    # Tables made from the metadata (tests) get the row and the triggers too.
    # SQLAlchemy's `DDL.__init__` carries no annotations.
    event.listen(metadata, "after_create", DDL(_statement))  # type: ignore[no-untyped-call]

# Who read or changed which surgery request or booking, and when; `AuditRecorded` carries the
# same to `audit.events.v1`. Admins query it through `GET /audit`.
audit_log = Table(
    "audit_log",
    metadata,
    Column("audit_id", UUID(as_uuid=True), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_kind", Text, nullable=False),
    Column("actor_id", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("record_type", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("details", JSONB, nullable=False, server_default="{}"),
    Column("request_id", Text),
)
Index("ix_audit_log_record", audit_log.c.record_type, audit_log.c.record_id, audit_log.c.at)
Index("ix_audit_log_record_id", audit_log.c.record_id, audit_log.c.at)
Index("ix_audit_log_at", audit_log.c.at)
Index("ix_audit_log_actor", audit_log.c.actor_id, audit_log.c.at)
# A list or day view names every case it showed in `details.surgery_ids`: "who saw case X"
# is a containment query (`details @> {"surgery_ids": [X]}`), which this index answers.
Index(
    "ix_audit_log_details",
    audit_log.c.details,
    postgresql_using="gin",
    postgresql_ops={"details": "jsonb_path_ops"},
)
