"""Dependencies of the resources routes: who may write, the hospital's settings, `If-Match`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header
from servicekit.auth import Principal, require_roles
from servicekit.deps import RuntimeDep

from resources_service.settings import ResourcesSettings

WriterDep = Annotated[Principal, Depends(require_roles("admin", "coordinator"))]
IfMatch = Annotated[
    str | None, Header(description="The ETag you read; a stale one is answered 412.")
]


async def get_settings(runtime: RuntimeDep[ResourcesSettings]) -> ResourcesSettings:
    return runtime.settings


SettingsDep = Annotated[ResourcesSettings, Depends(get_settings)]
