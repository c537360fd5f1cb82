"""The FHIR read model of cases (placeholder: a no-op until it lands).

Revision ID: 0003_fhir_cases
Revises: 0002_fhir_resources
Create Date: 2026-12-03
"""

from collections.abc import Sequence

revision: str = "0003_fhir_cases"
down_revision: str | None = "0002_fhir_resources"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
