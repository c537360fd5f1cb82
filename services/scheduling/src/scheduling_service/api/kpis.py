"""KPIs (H5)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/kpis", tags=["kpis"])
