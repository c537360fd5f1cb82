"""A staff member's daily maximum per weekday (part days) and per date (on-call days).

Revision ID: 0006_staff_daily_maxima
Revises: 0005_session_revocation
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_staff_daily_maxima"
down_revision: str | None = "0005_session_revocation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("max_minutes_by_weekday", "max_minutes_by_date")


def upgrade() -> None:
    # A constant default: PostgreSQL adds the columns without rewriting the table.
    for name in _COLUMNS:
        op.add_column(
            "staff_members",
            sa.Column(name, postgresql.JSONB(), nullable=False, server_default="{}"),
        )


def downgrade() -> None:
    for name in _COLUMNS:
        op.drop_column("staff_members", name)
