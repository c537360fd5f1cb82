"""Runs record CP-SAT's random seed and the search workers of their solve.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "optimization_runs", sa.Column("seed", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("optimization_runs", sa.Column("solver_workers", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("optimization_runs", "solver_workers")
    op.drop_column("optimization_runs", "seed")
