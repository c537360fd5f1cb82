"""The auth service's tables."""

from typing import Any

from servicekit.user_access import revoked_sessions_table
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    event,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("user_id", UUID(as_uuid=True), primary_key=True),
    Column("email", Text, nullable=False),
    Column("display_name", Text, nullable=False),
    Column("roles", ARRAY(Text), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False, server_default="true"),
    Column("staff_member_id", UUID(as_uuid=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("version", Integer, nullable=False, server_default="1"),
    # When roles or the active flag last changed: tokens issued before then are refused.
    Column("access_changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("password_changed_at", DateTime(timezone=True)),
)

# Emails are unique whatever their case.
Index("uq_users_email_lower", func.lower(users.c.email), unique=True)

# The same shape as every other service's read model, so one guard serves all (a view here).
user_access = Table(
    "user_access",
    metadata,
    Column("user_id", UUID(as_uuid=True), primary_key=True),
    Column("roles", ARRAY(Text), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    info={"is_view": True},
)
USER_ACCESS_VIEW = """
CREATE VIEW user_access AS
SELECT user_id, roles, active, access_changed_at AS changed_at, updated_at FROM users
"""

# The kit's guard reads these as every service does; auth writes them when it revokes a session.
revoked_sessions = revoked_sessions_table(metadata)

# A login starts a session; its refresh tokens rotate within it, and revoking it ends them all.
sessions = Table(
    "sessions",
    metadata,
    Column("session_id", UUID(as_uuid=True), primary_key=True),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.user_id"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_reason", Text),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_digest", LargeBinary, primary_key=True),
    Column(
        "session_id",
        UUID(as_uuid=True),
        ForeignKey("sessions.session_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    # Set when the token was exchanged for its successor; presenting it again is theft.
    Column("used_at", DateTime(timezone=True)),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", Text, primary_key=True),
    Column("algorithm", Text, nullable=False),
    Column("public_jwk", JSONB, nullable=False),
    Column("private_key_sealed", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("activates_at", DateTime(timezone=True), nullable=False),
    Column("retires_at", DateTime(timezone=True)),
)

# Keyed by a digest of the submitted account name, existing or not.
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("account_key", Text, primary_key=True),
    Column("count", Integer, nullable=False),
    Column("last_at", DateTime(timezone=True), nullable=False, index=True),
    Column("locked_until", DateTime(timezone=True)),
)

# Every `audit.events.v1` entry of every service, kept for the retention (six years by default).
# Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE, except the deletions that
# `purge_audit_entries(cutoff, batch)` makes of entries older than its cut-off.
audit_entries = Table(
    "audit_entries",
    metadata,
    Column("audit_id", UUID(as_uuid=True), primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("service", Text, nullable=False),
    Column("actor_kind", Text, nullable=False),
    Column("actor_id", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("record_type", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("details", JSONB, nullable=False, server_default="{}"),
    Column("request_id", Text),
    Column("correlation_id", UUID(as_uuid=True), nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
Index("ix_audit_entries_at", audit_entries.c.at, audit_entries.c.audit_id)
Index("ix_audit_entries_actor", audit_entries.c.actor_id, audit_entries.c.at)
Index("ix_audit_entries_record", audit_entries.c.record_id, audit_entries.c.at)
Index("ix_audit_entries_action", audit_entries.c.action, audit_entries.c.at)
# A scheduling list names every case it showed in `details.surgery_ids` (containment query).
Index(
    "ix_audit_entries_details",
    audit_entries.c.details,
    postgresql_using="gin",
    postgresql_ops={"details": "jsonb_path_ops"},
)
AUDIT_ENTRIES_DDL = (
    # The purge names its cut-off in a setting local to its transaction; the trigger lets a
    # DELETE through only for a row older than that, and nothing else at all. (No percent
    # signs in these statements: SQLAlchemy's DDL formats them as it creates the table.)
    """
    CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        purge_before text := current_setting('audit_entries.purge_before', true);
    BEGIN
        IF TG_OP = 'DELETE' AND coalesce(purge_before, '') <> '' THEN
            IF OLD.at < purge_before::timestamptz THEN
                RETURN OLD;
            END IF;
        END IF;
        RAISE EXCEPTION USING MESSAGE = 'audit entries are append-only: ' || TG_OP || ' refused',
                  ERRCODE = 'insufficient_privilege',
                  HINT = 'only purge_audit_entries deletes, and only entries past the retention';
    END $$
    """,
    """
    CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()
    """,
    """
    CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()
    """,
    # Deletes at most `batch` entries older than `cutoff` (never a cut-off in the future), so a
    # first purge of years of entries holds no long lock; answers how many it deleted.
    """
    CREATE FUNCTION purge_audit_entries(cutoff timestamptz, batch integer) RETURNS bigint
    LANGUAGE plpgsql AS $$
    DECLARE
        purged bigint;
    BEGIN
        IF cutoff > now() THEN
            RAISE EXCEPTION USING MESSAGE = 'the purge cut-off ' || cutoff || ' lies in the future',
                      ERRCODE = 'invalid_parameter_value';
        END IF;
        PERFORM set_config('audit_entries.purge_before', cutoff::text, true);
        DELETE FROM audit_entries WHERE audit_id IN (
            SELECT audit_id FROM audit_entries WHERE at < cutoff ORDER BY at LIMIT batch
        );
        GET DIAGNOSTICS purged = ROW_COUNT;
        PERFORM set_config('audit_entries.purge_before', '', true);
        RETURN purged;
    END $$
    """,
)


def _add_trigger_and_purge(target: Table, connection: Connection, **_: Any) -> None:
    """Tables made from the metadata (tests) get the trigger and the purge too."""
    for statement in AUDIT_ENTRIES_DDL:
        connection.exec_driver_sql(statement)


event.listen(audit_entries, "after_create", _add_trigger_and_purge)
