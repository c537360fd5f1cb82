"""ServiceRequests placed through FHIR (placeholder: a no-op until it lands).

Revision ID: 0005_orders
Revises: 0004_siu_feed
Create Date: 2026-12-03
"""

from collections.abc import Sequence

revision: str = "0005_orders"
down_revision: str | None = "0004_siu_feed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
