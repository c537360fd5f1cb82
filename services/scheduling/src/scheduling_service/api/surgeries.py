"""The waiting list and each case's lifecycle (H2)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/surgeries", tags=["surgeries"])
