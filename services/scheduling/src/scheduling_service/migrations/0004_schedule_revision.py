"""The schedule's revision: one row that every change of what the board shows moves on
(the row, and the triggers that bump it: see `schedule_revision` in db/tables.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from scheduling_service.db.tables import REVISION_WATCHED, SCHEDULE_REVISION_DDL
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "schedule_revision",
        sa.Column("singleton", sa.Boolean(), server_default="true", nullable=False),
        sa.Column(
            "epoch", postgresql.UUID(), server_default=sa.func.gen_random_uuid(), nullable=False
        ),
        sa.Column("counter", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("changed_in", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("singleton", name="schedule_revision_singleton_check"),
        sa.PrimaryKeyConstraint("singleton"),
    )
    for statement in SCHEDULE_REVISION_DDL:
        op.execute(statement)


def downgrade() -> None:
    for table in REVISION_WATCHED:
        op.execute(f"DROP TRIGGER {table}_bump_schedule_revision ON {table}")
    op.execute("DROP FUNCTION bump_schedule_revision()")
    op.drop_table("schedule_revision")
