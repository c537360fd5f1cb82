"""The FHIR read model of cases: one row per case, its request and its booking.

Revision ID: 0003_fhir_cases
Revises: 0002_fhir_resources
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_fhir_cases"
down_revision: str | None = "0002_fhir_resources"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UUID = postgresql.UUID(as_uuid=True)
_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fhir_cases",
        sa.Column("case_id", _UUID, nullable=False),
        sa.Column("patient_mrn", sa.Text(), nullable=True),
        sa.Column("procedure_code", sa.Text(), nullable=True),
        sa.Column("procedure_name", sa.Text(), nullable=True),
        sa.Column("procedure_system", sa.Text(), nullable=True),
        sa.Column("surgeon_id", _UUID, nullable=True),
        sa.Column("requested_by", _UUID, nullable=True),
        sa.Column("priority", sa.Text(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("requested_at", _AT, nullable=True),
        sa.Column("request_as_of", _AT, nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reason_code", sa.Text(), nullable=True),
        sa.Column("was_booked", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("room_id", _UUID, nullable=True),
        sa.Column("starts_at", _AT, nullable=True),
        sa.Column("ends_at", _AT, nullable=True),
        sa.Column("room_from", _AT, nullable=True),
        sa.Column("room_until", _AT, nullable=True),
        sa.Column(
            "staff",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "staff_ids",
            postgresql.ARRAY(_UUID),
            server_default=sa.text("'{}'::uuid[]"),
            nullable=False,
        ),
        sa.Column(
            "unit_ids",
            postgresql.ARRAY(_UUID),
            server_default=sa.text("'{}'::uuid[]"),
            nullable=False,
        ),
        sa.Column("booking_as_of", _AT, nullable=True),
        sa.Column("wheels_in", _AT, nullable=True),
        sa.Column("wheels_out", _AT, nullable=True),
        sa.Column("status_as_of", _AT, nullable=True),
        sa.Column("appointment_json", sa.Text(), nullable=True),
        sa.Column("appointment_masked_json", sa.Text(), nullable=True),
        sa.Column("order_json", sa.Text(), nullable=True),
        sa.Column("order_masked_json", sa.Text(), nullable=True),
        sa.Column("updated_at", _AT, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("case_id"),
    )
    op.create_index("ix_fhir_cases_starts_at", "fhir_cases", ["starts_at"])
    op.create_index("ix_fhir_cases_room_from", "fhir_cases", ["room_id", "room_from"])
    op.create_index("ix_fhir_cases_staff_ids", "fhir_cases", ["staff_ids"], postgresql_using="gin")
    op.create_index("ix_fhir_cases_surgeon_id", "fhir_cases", ["surgeon_id"])


def downgrade() -> None:
    op.drop_table("fhir_cases")
