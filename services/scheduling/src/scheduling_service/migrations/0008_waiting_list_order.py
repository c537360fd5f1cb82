"""The waiting list's default order as an index: a page of it is read, not sorted out of all.

Revision ID: 0008_waiting_list_order
Revises: 0007_session_revocation
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_waiting_list_order"
down_revision: str | None = "0007_session_revocation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As `db/tables.py` declares it: the list's ORDER BY must match this expression to use it.
_RANK = "array_position(ARRAY['emergency', 'urgent', 'elective'], priority)"


def upgrade() -> None:
    op.create_index(
        "ix_surgery_requests_priority_order",
        "surgery_requests",
        [sa.text(_RANK), "due_date", "created_at", "surgery_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_surgery_requests_priority_order", table_name="surgery_requests")
