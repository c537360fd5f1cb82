"""What this service knows of resources: the version of each snapshot its read model holds.

Operators and tests ask it whether scheduling has caught up with a change made in resources.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from servicekit.deps import ReadSessionDep
from servicekit.problems import Problem
from sqlalchemy import select

from scheduling_service.api.deps import ReaderDep
from scheduling_service.db.tables import blocks, equipment, rooms, staff

router = APIRouter(prefix="/read-model", tags=["read model"])
TABLES = {"rooms": rooms, "staff": staff, "equipment": equipment, "blocks": blocks}


class KnownSnapshot(BaseModel):
    kind: Literal["rooms", "staff", "equipment", "blocks"]
    id: uuid.UUID
    version: int
    retired_at: datetime | None
    received_at: datetime


@router.get("/{kind}/{record_id}", summary="The snapshot version held for a resource")
async def known_snapshot(
    kind: Literal["rooms", "staff", "equipment", "blocks"],
    record_id: uuid.UUID,
    _: ReaderDep,
    session: ReadSessionDep,
) -> KnownSnapshot:
    table = TABLES[kind]
    key = table.primary_key.columns.values()[0]
    row = (
        await session.execute(
            select(table.c.version, table.c.retired_at, table.c.received_at).where(key == record_id)
        )
    ).first()
    if row is None:
        raise Problem(404, f"No snapshot of {kind} {record_id} has arrived here yet.")
    return KnownSnapshot(kind=kind, id=record_id, **row._mapping)
