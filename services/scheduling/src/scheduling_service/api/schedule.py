"""Day lists (H5)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/schedule", tags=["schedule"])
