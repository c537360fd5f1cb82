"""Demo data for `make up` (H6)."""

from __future__ import annotations

from servicekit.service import Runtime


async def seed(runtime: Runtime) -> None:
    return None
