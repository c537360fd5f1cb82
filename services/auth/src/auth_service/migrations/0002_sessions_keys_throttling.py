"""Sessions and rotating refresh tokens, sealed signing keys, login throttling, user versions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from auth_service.db.tables import USER_ACCESS_VIEW
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UUID = postgresql.UUID(as_uuid=True)


def _at(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column("users", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column(
        "users",
        sa.Column(
            "access_changed_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
    )
    op.add_column("users", _at("password_changed_at", nullable=True))
    op.execute(USER_ACCESS_VIEW)
    op.create_table(
        "sessions",
        sa.Column("session_id", UUID, primary_key=True),
        sa.Column("user_id", UUID, sa.ForeignKey("users.user_id"), nullable=False),
        _at("created_at"),
        _at("last_used_at"),
        _at("revoked_at", nullable=True),
        sa.Column("revoked_reason", sa.Text()),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "refresh_tokens",
        sa.Column("token_digest", sa.LargeBinary(), primary_key=True),
        sa.Column(
            "session_id",
            UUID,
            sa.ForeignKey("sessions.session_id", ondelete="CASCADE"),
            nullable=False,
        ),
        _at("issued_at"),
        _at("used_at", nullable=True),
    )
    op.create_index("ix_refresh_tokens_session_id", "refresh_tokens", ["session_id"])
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.Text(), primary_key=True),
        sa.Column("algorithm", sa.Text(), nullable=False),
        sa.Column("public_jwk", postgresql.JSONB(), nullable=False),
        sa.Column("private_key_sealed", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        _at("activates_at"),
        _at("retires_at", nullable=True),
    )
    op.create_table(
        "login_attempts",
        sa.Column("account_key", sa.Text(), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
        _at("last_at"),
        _at("locked_until", nullable=True),
    )
    op.create_index("ix_login_attempts_last_at", "login_attempts", ["last_at"])


def downgrade() -> None:
    op.drop_table("login_attempts")
    op.drop_table("signing_keys")
    op.drop_table("refresh_tokens")
    op.drop_table("sessions")
    op.execute("DROP VIEW user_access")
    for column in ("password_changed_at", "access_changed_at", "version"):
        op.drop_column("users", column)
