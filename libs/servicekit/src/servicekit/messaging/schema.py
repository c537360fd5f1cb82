"""The tables behind our delivery guarantee, present in every service's database."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

# Kept apart from each service's own metadata; Alembic is given both.
messaging_metadata = MetaData()

OUTBOX_CHANNEL = "outbox"

outbox = Table(
    "outbox",
    messaging_metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("topic", Text, nullable=False),
    Column("message_key", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("envelope", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True)),
    # The W3C trace context of the transaction that wrote the row; the relay sends it on.
    Column("traceparent", Text),
    # Publishing attempts that failed for this row alone (too large, refused by the topic);
    # after the relay's limit the row is parked with why, and rows of its key wait behind it.
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("parked_at", DateTime(timezone=True)),
    Column("park_reason", Text),
    Index("ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
    Index(
        "ix_outbox_published_at", "published_at", postgresql_where=text("published_at IS NOT NULL")
    ),
    # The relay looks up, for every row it fetches, whether its key has a parked row before it.
    Index(
        "ix_outbox_parked",
        "message_key",
        "id",
        postgresql_where=text("parked_at IS NOT NULL AND published_at IS NULL"),
    ),
)

processed_events = Table(
    "processed_events",
    messaging_metadata,
    Column("consumer_group", Text, nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("topic", Text, nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("consumer_group", "event_id"),
    Index("ix_processed_events_age", "consumer_group", "processed_at"),
)

# For outboxes made before the column was (a first migration creates the table as it is now).
ADD_OUTBOX_TRACEPARENT_DDL = "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS traceparent text"
DROP_OUTBOX_TRACEPARENT_DDL = "ALTER TABLE outbox DROP COLUMN IF EXISTS traceparent"
ADD_OUTBOX_PARKING_DDL = (
    """ALTER TABLE outbox
  ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS parked_at timestamptz,
  ADD COLUMN IF NOT EXISTS park_reason text""",
    """CREATE INDEX IF NOT EXISTS ix_outbox_parked ON outbox (message_key, id)
  WHERE parked_at IS NOT NULL AND published_at IS NULL""",
)
DROP_OUTBOX_PARKING_DDL = (
    "DROP INDEX IF EXISTS ix_outbox_parked",
    """ALTER TABLE outbox
  DROP COLUMN IF EXISTS attempts,
  DROP COLUMN IF EXISTS parked_at,
  DROP COLUMN IF EXISTS park_reason""",
)

# NOTIFY is transactional: the relay is woken only when the row it must publish is committed.
NOTIFY_FUNCTION_DDL = f"""
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('{OUTBOX_CHANNEL}', current_schema());
  RETURN NULL;
END $$;
"""
NOTIFY_TRIGGER_DDL = """
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
"""
DROP_NOTIFY_DDL = (
    "DROP TRIGGER IF EXISTS outbox_notify ON outbox",
    "DROP FUNCTION IF EXISTS outbox_notify()",
)
