"""The SIU feed: messages built and their MLLP delivery (placeholder: a no-op until it lands).

Revision ID: 0004_siu_feed
Revises: 0003_fhir_cases
Create Date: 2026-12-03
"""

from collections.abc import Sequence

revision: str = "0004_siu_feed"
down_revision: str | None = "0003_fhir_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
