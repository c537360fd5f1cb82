"""Equipment and its individually identified units, their maintenance windows."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/equipment", tags=["equipment"])
