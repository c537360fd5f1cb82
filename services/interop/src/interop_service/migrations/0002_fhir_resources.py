"""The FHIR read model of rooms, staff, equipment and blocks (placeholder: a no-op until it lands).

Revision ID: 0002_fhir_resources
Revises: 0001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

revision: str = "0002_fhir_resources"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
