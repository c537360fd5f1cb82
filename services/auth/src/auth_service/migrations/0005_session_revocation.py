"""Sessions revoked early, so their access tokens are refused (servicekit.user_access).

Revision ID: 0005_session_revocation
Revises: 0004_outbox_parking
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from typing import cast

from alembic import op
from alembic.operations import Operations
from servicekit.migrations import create_revoked_sessions_table, drop_revoked_sessions_table

revision: str = "0005_session_revocation"
down_revision: str | None = "0004_outbox_parking"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# `alembic.op` is a module standing in for the running migration's `Operations`; the kit's
# helpers are typed with the class.
ops = cast(Operations, op)


def upgrade() -> None:
    create_revoked_sessions_table(ops)


def downgrade() -> None:
    drop_revoked_sessions_table(ops)
