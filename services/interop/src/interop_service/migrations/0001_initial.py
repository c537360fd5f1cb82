"""The outbox, the processed-events log, user access and revoked sessions (servicekit's tables).

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from collections.abc import Sequence
from typing import cast

from alembic import op
from alembic.operations import Operations
from servicekit.messaging.schema import ADD_OUTBOX_TRACEPARENT_DDL, DROP_OUTBOX_TRACEPARENT_DDL
from servicekit.migrations import (
    add_outbox_parking,
    create_messaging_tables,
    create_revoked_sessions_table,
    create_user_access_table,
    drop_messaging_tables,
    drop_outbox_parking,
    drop_revoked_sessions_table,
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
    op.execute(ADD_OUTBOX_TRACEPARENT_DDL)
    add_outbox_parking(ops)
    create_user_access_table(ops)
    create_revoked_sessions_table(ops)


def downgrade() -> None:
    drop_revoked_sessions_table(ops)
    op.drop_table("user_access")
    drop_outbox_parking(ops)
    op.execute(DROP_OUTBOX_TRACEPARENT_DDL)
    drop_messaging_tables(ops)
