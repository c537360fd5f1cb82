"""Effective open intervals of rooms, staff and equipment units for a date range."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/availability", tags=["availability"])
