"""The SIU feed: each case's state, the messages built, the MLLP endpoints and deliveries.

Revision ID: 0004_siu_feed
Revises: 0003_fhir_cases
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_siu_feed"
down_revision: str | None = "0003_fhir_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UUID = postgresql.UUID(as_uuid=True)
_AT = sa.DateTime(timezone=True)
_NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "siu_cases",
        sa.Column("case_id", _UUID, primary_key=True),
        sa.Column("request", postgresql.JSONB(), nullable=True),
        sa.Column("booking", postgresql.JSONB(), nullable=True),
        sa.Column("updated_at", _AT, server_default=_NOW, nullable=False),
    )
    op.create_table(
        "siu_messages",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), primary_key=True),
        sa.Column("control_id", sa.Text(), nullable=False, unique=True),
        sa.Column("source_event_id", _UUID, nullable=False, unique=True),
        sa.Column("case_id", _UUID, nullable=False),
        sa.Column("trigger", sa.Text(), nullable=False),
        sa.Column("er7", sa.Text(), nullable=False),
        sa.Column("occurred_at", _AT, nullable=False),
        sa.Column("built_at", _AT, server_default=_NOW, nullable=False),
    )
    op.create_index("ix_siu_messages_case", "siu_messages", ["case_id", "id"])
    op.create_table(
        "siu_endpoints",
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("registered_at", _AT, server_default=_NOW, nullable=False),
    )
    op.create_table(
        "siu_deliveries",
        sa.Column(
            "endpoint",
            sa.Text(),
            sa.ForeignKey("siu_endpoints.name", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "message_id",
            sa.BigInteger(),
            sa.ForeignKey("siu_messages.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("case_id", _UUID, nullable=False),
        sa.Column("state", sa.Text(), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_attempt_at", _AT, server_default=_NOW, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _AT, server_default=_NOW, nullable=False),
        sa.Column("delivered_at", _AT, nullable=True),
        sa.Column("parked_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("endpoint", "message_id"),
        sa.CheckConstraint(
            "state IN ('pending', 'delivered', 'parked', 'abandoned')",
            name="ck_siu_deliveries_state",
        ),
    )
    op.create_index(
        "ix_siu_deliveries_pending",
        "siu_deliveries",
        ["endpoint", "message_id"],
        postgresql_where=sa.text("state = 'pending'"),
    )
    op.create_index(
        "ix_siu_deliveries_open_by_case",
        "siu_deliveries",
        ["endpoint", "case_id", "message_id"],
        postgresql_where=sa.text("state IN ('pending', 'parked')"),
    )


def downgrade() -> None:
    op.drop_table("siu_deliveries")
    op.drop_table("siu_endpoints")
    op.drop_table("siu_messages")
    op.drop_table("siu_cases")
