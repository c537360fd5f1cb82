"""ServiceRequests placed through FHIR: one row per placer order number.

Revision ID: 0005_orders
Revises: 0004_siu_feed
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0005_orders"
down_revision: str | None = "0004_siu_feed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_requests",
        sa.Column("case_id", UUID(as_uuid=True), nullable=False),
        sa.Column("placer_system", sa.Text(), nullable=False),
        sa.Column("placer_value", sa.Text(), nullable=False),
        sa.Column(
            "resource", JSONB(), nullable=False, comment="The ServiceRequest as stored (FHIR JSON)."
        ),
        sa.Column(
            "request", JSONB(), nullable=False, comment="The case asked for, in our contract."
        ),
        sa.Column("placed_by", UUID(as_uuid=True), nullable=False),
        sa.Column(
            "placed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("case_id"),
        sa.UniqueConstraint("placer_system", "placer_value", name="uq_service_requests_placer"),
    )


def downgrade() -> None:
    op.drop_table("service_requests")
