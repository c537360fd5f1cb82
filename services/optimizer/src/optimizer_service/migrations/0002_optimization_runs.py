"""Optimization runs: the queue of problems to solve and the results of solving them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "optimization_runs",
        sa.Column("run_id", sa.UUID(), nullable=False),
        sa.Column("request_id", sa.UUID(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("planner", sa.Text(), server_default="cp_sat", nullable=False),
        sa.Column("requested_by", sa.UUID(), nullable=True),
        sa.Column("status", sa.Text(), server_default="queued", nullable=False),
        sa.Column("problem", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("correlation_id", sa.UUID(), nullable=True),
        sa.Column("causation_id", sa.UUID(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("claim_id", sa.UUID(), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status IN ('succeeded', 'failed')) = (result IS NOT NULL)",
            name="ck_optimization_runs_result",
        ),
        sa.CheckConstraint("planner IN ('cp_sat', 'greedy')", name="ck_optimization_runs_planner"),
        sa.CheckConstraint("source IN ('http', 'event')", name="ck_optimization_runs_source"),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed')",
            name="ck_optimization_runs_status",
        ),
        sa.PrimaryKeyConstraint("run_id"),
        sa.UniqueConstraint("request_id"),
    )
    op.create_index("ix_optimization_runs_created_at", "optimization_runs", ["created_at"])
    op.create_index(
        "ix_optimization_runs_pending",
        "optimization_runs",
        ["created_at"],
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )


def downgrade() -> None:
    op.drop_index("ix_optimization_runs_pending", table_name="optimization_runs")
    op.drop_index("ix_optimization_runs_created_at", table_name="optimization_runs")
    op.drop_table("optimization_runs")
