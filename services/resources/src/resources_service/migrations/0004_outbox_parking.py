"""An outbox row that keeps failing to publish is parked with why (servicekit.messaging.relay).

Revision ID: 0004_outbox_parking
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from typing import cast

from alembic import op
from alembic.operations import Operations
from servicekit.migrations import add_outbox_parking, drop_outbox_parking

revision: str = "0004_outbox_parking"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# `alembic.op` is a module standing in for the running migration's `Operations`; the kit's
# helpers are typed with the class.
ops = cast(Operations, op)


def upgrade() -> None:
    add_outbox_parking(ops)


def downgrade() -> None:
    drop_outbox_parking(ops)
