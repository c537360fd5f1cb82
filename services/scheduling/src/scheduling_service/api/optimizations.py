"""Optimizer proposals (H4)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/optimizations", tags=["optimizations"])
