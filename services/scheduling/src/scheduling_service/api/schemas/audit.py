"""The audit log as admins read it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEntryPublic(BaseModel):
    """Who (`actor_kind`, `actor_id`) did what (`action`) to which record, and when (`at`)."""

    model_config = ConfigDict(from_attributes=True)

    audit_id: uuid.UUID
    at: datetime
    actor_kind: str
    actor_id: str
    action: str
    record_type: str
    record_id: str
    details: dict[str, Any]
    request_id: str | None = None
