"""The SIU feed's tables: what it knows of each case, the messages built, and their delivery.

- `siu_cases`: per case, the request and the booking it holds (`domain/siu_feed.py`'s state),
  since the events that move a booking do not repeat the MRN, procedure or surgeon.
- `siu_messages`: every message built, once per scheduling event (`source_event_id` unique):
  written in the consumer's transaction, with the event's `processed_events` row and its
  `interop.siu.v1` outbox row. A case's messages have rising ids in the order of its events.
- `siu_endpoints`: the MLLP endpoints some process of the service has been configured with; a
  new message gets one `siu_deliveries` row for each, in the same transaction.
- `siu_deliveries`: one message to one endpoint: `pending` (with `next_attempt_at`),
  `delivered` (acknowledged AA), `parked` (rejected AR: waits for an operator, and so do the
  case's later messages to that endpoint) or `abandoned` (an operator gave it up).
"""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from interop_service.db.tables import metadata

DELIVERY_STATES = ("pending", "delivered", "parked", "abandoned")
# NOTIFYed when a transaction adds deliveries, so delivery workers need not poll often.
DELIVERIES_CHANNEL = "interop_siu_deliveries"

siu_cases = Table(
    "siu_cases",
    metadata,
    Column("case_id", UUID(as_uuid=True), primary_key=True),
    Column("request", JSONB),
    Column("booking", JSONB),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

siu_messages = Table(
    "siu_messages",
    metadata,
    Column("id", BigInteger, Identity(always=False), primary_key=True),
    Column("control_id", Text, nullable=False, unique=True),
    Column("source_event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("case_id", UUID(as_uuid=True), nullable=False),
    Column("trigger", Text, nullable=False),
    Column("er7", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("built_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_siu_messages_case", "case_id", "id"),
)

siu_endpoints = Table(
    "siu_endpoints",
    metadata,
    Column("name", Text, primary_key=True),
    Column("registered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

siu_deliveries = Table(
    "siu_deliveries",
    metadata,
    Column("endpoint", Text, ForeignKey("siu_endpoints.name", ondelete="CASCADE"), nullable=False),
    Column(
        "message_id",
        BigInteger,
        ForeignKey("siu_messages.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("case_id", UUID(as_uuid=True), nullable=False),
    Column("state", Text, nullable=False, server_default=text("'pending'")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("delivered_at", DateTime(timezone=True)),
    Column("parked_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("endpoint", "message_id"),
    CheckConstraint(
        "state IN ('pending', 'delivered', 'parked', 'abandoned')",
        name="ck_siu_deliveries_state",
    ),
    # What a delivery worker claims: an endpoint's pending messages in order.
    Index(
        "ix_siu_deliveries_pending",
        "endpoint",
        "message_id",
        postgresql_where=text("state = 'pending'"),
    ),
    # What holds a case's next message back: an earlier one not yet acknowledged.
    Index(
        "ix_siu_deliveries_open_by_case",
        "endpoint",
        "case_id",
        "message_id",
        postgresql_where=text("state IN ('pending', 'parked')"),
    ),
)
