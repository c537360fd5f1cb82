"""Audit log lookups by record id alone and by the cases a list or day view showed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_log_record_id", "audit_log", ["record_id", "at"])
    op.create_index(
        "ix_audit_log_details",
        "audit_log",
        ["details"],
        postgresql_using="gin",
        postgresql_ops={"details": "jsonb_path_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_details", table_name="audit_log")
    op.drop_index("ix_audit_log_record_id", table_name="audit_log")
