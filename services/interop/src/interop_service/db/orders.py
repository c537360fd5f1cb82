"""The ServiceRequests placed through FHIR: one row per order, unique on the placer's number.

The row and the `ServiceRequestPlaced` event commit together (the outbox), so an order is on its
way to scheduling exactly when it is stored; a second POST of the same placer number finds the
row and answers it instead of placing a second case.
"""

from sqlalchemy import Column, DateTime, Table, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB, UUID

from interop_service.db.tables import metadata

# An identifier without a system is stored with '' so that the unique constraint holds for it.
NO_SYSTEM = ""

service_requests = Table(
    "service_requests",
    metadata,
    Column("case_id", UUID(as_uuid=True), primary_key=True),
    Column("placer_system", Text, nullable=False),
    Column("placer_value", Text, nullable=False),
    Column("resource", JSONB, nullable=False, comment="The ServiceRequest as stored (FHIR JSON)."),
    Column("request", JSONB, nullable=False, comment="The case asked for, in our contract."),
    Column("placed_by", UUID(as_uuid=True), nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("placer_system", "placer_value", name="uq_service_requests_placer"),
)

__all__ = ["NO_SYSTEM", "metadata", "service_requests"]
