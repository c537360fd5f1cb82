"""The outbox keeps the trace context of the transaction that wrote each row (servicekit.tracing).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op
from servicekit.messaging.schema import ADD_OUTBOX_TRACEPARENT_DDL, DROP_OUTBOX_TRACEPARENT_DDL

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(ADD_OUTBOX_TRACEPARENT_DDL)


def downgrade() -> None:
    op.execute(DROP_OUTBOX_TRACEPARENT_DDL)
