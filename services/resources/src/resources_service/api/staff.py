"""Staff members"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(
    prefix=" create, list, read, replace, retire, and their absences.", tags=["/staff:staff"]
)
