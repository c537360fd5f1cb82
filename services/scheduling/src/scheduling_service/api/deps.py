"""Dependencies of the scheduling routes: who may do what, the settings, `If-Match`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header
from servicekit.auth import Principal, require_roles
from servicekit.deps import RuntimeDep

from scheduling_service.settings import SchedulingSettings

# Coordinators and admins keep the waiting list and the plan.
PlannerDep = Annotated[Principal, Depends(require_roles("admin", "coordinator"))]
# Surgeons request their own cases too.
RequesterDep = Annotated[Principal, Depends(require_roles("admin", "coordinator", "surgeon"))]
# Clinical staff move a case along in the room (wheels in, wheels out).
ClinicianDep = Annotated[
    Principal,
    Depends(require_roles("admin", "coordinator", "surgeon", "anaesthetist", "nurse")),
]
# Every role reads the schedule.
ReaderDep = Annotated[
    Principal,
    Depends(require_roles("admin", "coordinator", "surgeon", "anaesthetist", "nurse", "viewer")),
]
AdminDep = Annotated[Principal, Depends(require_roles("admin"))]
IfMatch = Annotated[
    str | None, Header(description="The ETag you read; a stale one is answered 412.")
]


async def get_settings(runtime: RuntimeDep[SchedulingSettings]) -> SchedulingSettings:
    return runtime.settings


SettingsDep = Annotated[SchedulingSettings, Depends(get_settings)]
