"""The auth service's tables."""

from sqlalchemy import Boolean, Column, DateTime, Index, MetaData, Table, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, UUID

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("user_id", UUID(as_uuid=True), primary_key=True),
    Column("email", Text, nullable=False),
    Column("display_name", Text, nullable=False),
    Column("roles", ARRAY(Text), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False, server_default="true"),
    Column("staff_member_id", UUID(as_uuid=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Emails are unique whatever their case.
Index("uq_users_email_lower", func.lower(users.c.email), unique=True)
