"""Shapes every resource of this API shares: record metadata and dated windows."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Self

from contracts.values import Note, ScheduleDatetime, TimeWindow, UtcDatetime
from pydantic import BaseModel, ConfigDict, Field


class Record(BaseModel):
    """What every stored record answers besides its own fields."""

    version: int = Field(description="Increases with every change; the ETag is this number.")
    created_at: datetime
    updated_at: datetime
    retired_at: datetime | None = Field(
        default=None, description="Set once retired: kept for what references it, never deleted."
    )


class WindowCreate(TimeWindow):
    """A span of absolute time with an offset (`2027-03-01T07:00:00+01:00`), end exclusive."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: ScheduleDatetime
    end: ScheduleDatetime
    note: Note | None = None


class WindowPublic(BaseModel):
    """A stored span of absolute time, answered in UTC."""

    window_id: uuid.UUID
    start: UtcDatetime
    end: UtcDatetime
    note: str | None = None

    @classmethod
    def of(cls, row: Any, id_column: str, **extra: Any) -> Self:
        return cls(
            window_id=getattr(row, id_column),
            start=row.period.lower,
            end=row.period.upper,
            note=getattr(row, "note", None),
            **extra,
        )
