"""Blocks of operating room time"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(
    prefix=" allocate, list, read, change, release one occurrence, retire.", tags=["/blocks:blocks"]
)
