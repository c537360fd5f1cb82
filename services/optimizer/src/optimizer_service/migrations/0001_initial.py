"""The outbox, the processed-events log and the user-access read model.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from collections.abc import Sequence
from typing import cast

from alembic import op
from alembic.operations import Operations
from servicekit.migrations import (
    create_messaging_tables,
    create_user_access_table,
    drop_messaging_tables,
)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# `alembic.op` is a module standing in for the running migration's `Operations`; the kit's
# helpers are typed with the class.
ops = cast(Operations, op)


def upgrade() -> None:
    create_messaging_tables(ops)
    create_user_access_table(ops)


def downgrade() -> None:
    op.drop_table("user_access")
    drop_messaging_tables(ops)
