"""Dependencies of the optimizer routes: who may plan."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from servicekit.auth import Principal, require_roles

PlannerDep = Annotated[Principal, Depends(require_roles("admin", "coordinator"))]
