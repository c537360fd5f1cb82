"""The outbox, the processed-events log and the user-access read model.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op
from servicekit.migrations import (
    create_messaging_tables,
    create_user_access_table,
    drop_messaging_tables,
)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_messaging_tables(op)
    create_user_access_table(op)


def downgrade() -> None:
    op.drop_table("user_access")
    drop_messaging_tables(op)
