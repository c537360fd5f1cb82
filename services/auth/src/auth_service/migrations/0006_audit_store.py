"""The durable audit store: every `audit.events.v1` entry, append-only, purged after retention.

Revision ID: 0006_audit_store
Revises: 0005_session_revocation
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from auth_service.db.tables import AUDIT_ENTRIES_DDL
from sqlalchemy.dialects import postgresql

revision: str = "0006_audit_store"
down_revision: str | None = "0005_session_revocation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = postgresql.UUID(as_uuid=True)


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("audit_id", UUID, primary_key=True),
        sa.Column("event_id", UUID, nullable=False, unique=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        *(
            sa.Column(name, sa.Text(), nullable=False)
            for name in ("service", "actor_kind", "actor_id", "action", "record_type", "record_id")
        ),
        sa.Column("details", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("request_id", sa.Text()),
        sa.Column("correlation_id", UUID, nullable=False),
        sa.Column(
            "stored_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_index("ix_audit_entries_at", "audit_entries", ["at", "audit_id"])
    for name, column in (("actor", "actor_id"), ("record", "record_id"), ("action", "action")):
        op.create_index(f"ix_audit_entries_{name}", "audit_entries", [column, "at"])
    op.create_index(
        "ix_audit_entries_details",
        "audit_entries",
        ["details"],
        postgresql_using="gin",
        postgresql_ops={"details": "jsonb_path_ops"},
    )
    for statement in AUDIT_ENTRIES_DDL:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("audit_entries")  # its triggers go with it
    op.execute("DROP FUNCTION purge_audit_entries(timestamptz, integer)")
    op.execute("DROP FUNCTION audit_entries_append_only()")
