"""Booking a case (H3)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/surgeries", tags=["bookings"])
